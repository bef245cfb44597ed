//! Example arguments built from a tool's input schema (work in progress).
