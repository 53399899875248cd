spl_runtime::detect! {
    struct X = "TERM(install) `site_allowlist(host)`";
}

fn main() {}
