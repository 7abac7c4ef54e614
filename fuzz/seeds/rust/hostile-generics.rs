pub trait T { type A: T; fn go(&self) -> Self::A; }
impl<X: T> T for Vec<X> { type A = Vec<X::A>; fn go(&self) -> Self::A { self.iter().map(|x| x.go()).collect() } }
pub fn r<X: T>(x: X) -> X::A { r(x.go().go()) }
pub async fn a(s: &str) { let c = || async move { tracing::info!("{}", s) }; c().await; }
