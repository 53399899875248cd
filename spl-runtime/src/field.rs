//! Field names interned to small integer ids.
//!
//! Rules name fields by string; events store them by [`FieldId`]. A compiled rule resolves
//! each name it uses once (at construction), so evaluating an event compares integers and
//! never hashes a field name. Readers intern the names they meet when they build events.
//! Names are case-sensitive: `EventCode` and `eventcode` are different fields.

use std::collections::HashMap;
use std::fmt;
use std::sync::{OnceLock, RwLock};

/// The id of an interned field name. Ids are process-wide and never reused.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(u32);

impl FieldId {
    /// `_raw`, the event text.
    pub const RAW: FieldId = FieldId(0);
    /// `_time`, epoch seconds.
    pub const TIME: FieldId = FieldId(1);

    /// Intern `name` and return its id (the same id for the same name, every time).
    pub fn intern(name: &str) -> FieldId {
        interner().intern(name)
    }

    /// The id of `name` if it was ever interned; no new id is made.
    pub fn lookup(name: &str) -> Option<FieldId> {
        interner().lookup(name)
    }

    /// The name this id stands for.
    pub fn name(self) -> &'static str {
        interner().name(self)
    }

    /// The raw index (stable within one process only).
    pub fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldId({}={:?})", self.0, self.name())
    }
}

impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

struct Interner {
    inner: RwLock<InternerState>,
}

#[derive(Default)]
struct InternerState {
    ids: HashMap<&'static str, FieldId>,
    names: Vec<&'static str>,
}

fn interner() -> &'static Interner {
    static INTERNER: OnceLock<Interner> = OnceLock::new();
    INTERNER.get_or_init(|| {
        let mut state = InternerState::default();
        for name in ["_raw", "_time"] {
            let id = FieldId(state.names.len() as u32);
            state.names.push(name);
            state.ids.insert(name, id);
        }
        Interner {
            inner: RwLock::new(state),
        }
    })
}

impl Interner {
    fn lookup(&self, name: &str) -> Option<FieldId> {
        let state = self.inner.read().unwrap_or_else(|e| e.into_inner());
        state.ids.get(name).copied()
    }

    fn intern(&self, name: &str) -> FieldId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        let mut state = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = state.ids.get(name) {
            return *id;
        }
        // Names live for the whole process: the set of field names is small and bounded
        // by the data's schema, so leaking them is the simplest sound choice.
        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let id = FieldId(u32::try_from(state.names.len()).expect("fewer than 2^32 field names"));
        state.names.push(name);
        state.ids.insert(name, id);
        id
    }

    fn name(&self, id: FieldId) -> &'static str {
        let state = self.inner.read().unwrap_or_else(|e| e.into_inner());
        state.names[id.0 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_case_sensitive() {
        let a = FieldId::intern("EventCode");
        assert_eq!(a, FieldId::intern("EventCode"));
        assert_ne!(a, FieldId::intern("eventcode"));
        assert_eq!(a.name(), "EventCode");
        assert_eq!(FieldId::intern("_raw"), FieldId::RAW);
        assert_eq!(FieldId::intern("_time"), FieldId::TIME);
        assert_eq!(FieldId::lookup("never-interned-name-xyz"), None);
    }
}
