//! Content files: parsing, checking and importing. (being written)
