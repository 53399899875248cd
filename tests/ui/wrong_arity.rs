spl_runtime::detect! {
    struct X = r#"TERM(install) | where match(process)"#;
}

fn main() {}
