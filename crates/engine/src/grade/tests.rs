//! Table-driven and property tests of grading and answer parsing.
