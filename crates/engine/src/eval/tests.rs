//! Evaluation on small hand-made logs and, when present, the reference log.
