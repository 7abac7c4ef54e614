macro_rules! grow { ($($t:tt)*) => { grow!($($t)* $($t)*); }; }
macro_rules! nest { () => {}; ($h:tt $($t:tt)*) => { { nest!($($t)*) } }; }
#[derive(privflow::Classified)]
pub struct C { #[data("contact.email")] pub email: String }
pub fn f(c: &C) { grow!(c); nest!(a b c d e f g); println!("{}", c.email); }
