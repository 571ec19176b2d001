//! The use cases of Ladder (being assembled): what happens when a learner answers,
//! practises, asks for progress, changes settings, ... Depends on the engine, the store
//! traits, the clock and the platform-neutral reply types only.

pub mod action;
