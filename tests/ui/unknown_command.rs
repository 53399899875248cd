spl_runtime::detect! {
    struct X = "TERM(install) | frobnicate host";
}

fn main() {}
