// A rule over a typed event that reads a field the type does not have: a compile error
// pointing into the SPL, with the type named.

#[derive(spl_runtime::Event)]
pub struct Process {
    #[spl(name = "_raw")]
    pub raw: spl_runtime::Value,
    pub process: spl_runtime::Value,
    pub user: Option<spl_runtime::Value>,
}

spl_runtime::detect! {
    struct Whoami = r#"process="*whoami*" | where isnotnull(parent_process) | table user"#,
        event Process;
}

fn main() {}
