//! Checking tools against GHL's official OpenAPI operations (work in progress).
