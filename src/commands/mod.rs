//! The commands: glue that runs the pipeline's stages in order.

pub mod build;
pub mod check;
pub mod serve;
