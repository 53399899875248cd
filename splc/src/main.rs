//! `splc`: check, compile, explain and run SPL detection rules.

fn main() {
    println!("splc");
}
