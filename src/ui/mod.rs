//! What the person at the terminal sees while a verb works (progress lines on stderr) and
//! whether colour and spinners suit their terminal. A leaf: it knows nothing of labs.

pub mod interrupt;
pub mod progress;
pub mod term;
