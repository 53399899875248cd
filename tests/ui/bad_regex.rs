spl_runtime::detect! {
    struct X = r#"TERM(ngen) | regex process="(?i)ngen(\.exe""#;
}

fn main() {}
