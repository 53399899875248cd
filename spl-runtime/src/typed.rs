//! Events of a program's own type: a struct whose fields are the event's fields.
//!
//! `#[derive(spl_runtime::Event)]` (feature `macros`) implements [`Event`] and
//! [`TypedEvent`] for a struct with named fields of type [`Value`](crate::Value) or
//! `Option<Value>` (absent when `None`). A field's SPL name is its Rust name, or the one
//! given with `#[spl(name = "...")]` (`#[spl(name = "_raw")] raw: Value` gives the rule
//! its `_raw`). Rules compiled for the type (`detect!`'s `event` clause,
//! `spl_compiler::Builder::event_type`) are checked against [`TypedEvent::FIELDS`] when
//! the program builds: reading a field the type lacks is a compile error pointing into the
//! SPL.
//!
//! ```
//! # #[cfg(feature = "macros")] {
//! use spl_runtime::{Event, FieldId, Value};
//! use spl_runtime::typed::TypedEvent;
//!
//! #[derive(spl_runtime::Event)]
//! struct Process {
//!     #[spl(name = "_raw")]
//!     raw: Value,
//!     process: Value,
//!     parent_process: Option<Value>,
//! }
//!
//! let p = Process {
//!     raw: Value::from("cmd.exe /c whoami"),
//!     process: Value::from("cmd.exe /c whoami"),
//!     parent_process: None,
//! };
//! assert_eq!(p.raw(), "cmd.exe /c whoami");
//! assert_eq!(p.get(FieldId::intern("process")), Some(&Value::from("cmd.exe /c whoami")));
//! assert_eq!(p.get(FieldId::intern("parent_process")), None);
//! assert_eq!(Process::FIELDS, ["_raw", "process", "parent_process"]);
//! # }
//! ```

use crate::event::Event;

/// An event type with a fixed set of fields, known when the program builds.
pub trait TypedEvent: Event {
    /// The SPL names of the fields, in declaration order.
    const FIELDS: &'static [&'static str];
}

/// Whether `fields` holds `name` (exactly: field names are case-sensitive). A `const fn`,
/// for the checks generated code makes when it builds.
pub const fn has_field(fields: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < fields.len() {
        if same(fields[i].as_bytes(), name.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_exact_name() {
        const FIELDS: &[&str] = &["_raw", "process", "Image"];
        // Usable in constants.
        const { assert!(has_field(FIELDS, "process")) };
        assert!(has_field(FIELDS, "Image"));
        assert!(!has_field(FIELDS, "image"));
        assert!(!has_field(FIELDS, "proc"));
        assert!(!has_field(FIELDS, ""));
        assert!(!has_field(&[], "process"));
    }
}
