//! Scheduling behaviour: the rating table, interval growth, leeches and the daily pick.
