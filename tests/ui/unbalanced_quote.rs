spl_runtime::detect! {
    struct X = r#"process="cmd.exe | table host"#;
}

fn main() {}
