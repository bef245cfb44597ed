//! Importing GHL's official OpenAPI files into spec files (work in progress).
