//! The commands: glue that runs the pipeline's stages in order.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;
