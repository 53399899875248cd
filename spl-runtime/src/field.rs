//! Field names interned to small integer ids.
//!
//! Rules name fields by string; events store them by [`FieldId`]. A compiled rule resolves
//! each name it uses once (at construction), so evaluating an event compares integers and
//! never hashes a field name. Readers intern the names they meet when they build events.
//! Names are case-sensitive: `EventCode` and `eventcode` are different fields.
//!
//! # Bounded for readers
//!
//! The table of names is process-wide and names stay in it for the life of the process,
//! so what event data may add to it is bounded: a reader adds a name only while the table
//! holds fewer than [`Limits::max_field_names`](crate::read::Limits::max_field_names)
//! names, and only names of at most
//! [`Limits::max_field_name_bytes`](crate::read::Limits::max_field_name_bytes) bytes. A
//! field whose name is refused is not stored, and the reader reports it (see
//! [`ReadEvent::dropped`](crate::read::ReadEvent::dropped)). [`FieldId::intern`] itself
//! is not bounded: it is what rules use for the names they are written with, so those
//! names are always in the table before any event is read.
//!
//! Readers look names up in a cache of their own ([`NameCache`]) before the shared
//! table, so the table's lock is taken only for a name the reader has not met yet.

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

/// Why a reader could not get an id for a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The table already holds the most names readers may fill it to.
    Full,
    /// The name is longer than readers may add.
    TooLong,
}

/// A reader's own map of the names it has met to their ids, in front of the shared table.
///
/// A hit costs one comparison when the name is where it was in the event before
/// ([`NameCache::get_at`]), else one hash of the name, and takes no lock; a miss goes to
/// the shared table, which adds the name only within the bounds the cache was made with.
/// The cache holds only names that are in the table, as `&'static str`s borrowed from it,
/// so it is never larger than the table and copies no name.
#[derive(Debug)]
pub(crate) struct NameCache {
    /// Hashed with a fast hasher seeded at random per process: the names come from
    /// events, and the seed keeps their hashes unpredictable.
    ids: HashMap<&'static str, FieldId, foldhash::fast::RandomState>,
    /// Per place of a field in an event, the name last found there: events of one kind
    /// list their fields in one order, so most names are the one at their place in the
    /// event before, found with one comparison instead of a hash.
    recent: Vec<(&'static str, FieldId)>,
    max_names: usize,
    max_name_bytes: usize,
}

impl NameCache {
    /// A cache that adds names to the shared table while it holds fewer than `max_names`
    /// and for names of at most `max_name_bytes` bytes.
    pub(crate) fn new(max_names: usize, max_name_bytes: usize) -> Self {
        NameCache {
            ids: HashMap::default(),
            recent: Vec::new(),
            max_names,
            max_name_bytes,
        }
    }

    /// The id of `name`, interning it if the bounds allow.
    #[cfg(test)]
    fn get(&mut self, name: &str) -> Result<FieldId, Refused> {
        self.get_named(name).map(|(id, _)| id)
    }

    /// [`NameCache::get`], with the table's copy of the name.
    fn get_named(&mut self, name: &str) -> Result<(FieldId, &'static str), Refused> {
        if let Some((&known, &id)) = self.ids.get_key_value(name) {
            return Ok((id, known));
        }
        let (id, name) = interner().intern_bounded(name, self.max_names, self.max_name_bytes)?;
        self.ids.insert(name, id);
        Ok((id, name))
    }

    /// [`NameCache::get`] for the name of the `place`-th field of an event (from 0).
    #[inline]
    pub(crate) fn get_at(&mut self, place: usize, name: &str) -> Result<FieldId, Refused> {
        if let Some(&(known, id)) = self.recent.get(place) {
            if known == name {
                return Ok(id);
            }
        }
        let (id, known) = self.get_named(name)?;
        // Places are remembered in order only, up to a bound (an event has few fields).
        if let Some(slot) = self.recent.get_mut(place) {
            *slot = (known, id);
        } else if place == self.recent.len() && place < Self::MAX_PLACES {
            self.recent.push((known, id));
        }
        Ok(id)
    }

    /// The most places remembered.
    const MAX_PLACES: usize = 256;
}

struct Interner {
    inner: RwLock<InternerState>,
}

#[derive(Default)]
struct InternerState {
    ids: HashMap<&'static str, FieldId>,
    names: Vec<&'static str>,
}

impl InternerState {
    fn add(&mut self, name: &str) -> (FieldId, &'static str) {
        // Names live for the whole process. What events may add is bounded (see the
        // module docs), so leaking them is sound.
        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let id = FieldId(u32::try_from(self.names.len()).expect("fewer than 2^32 field names"));
        self.names.push(name);
        self.ids.insert(name, id);
        (id, name)
    }
}

fn interner() -> &'static Interner {
    static INTERNER: OnceLock<Interner> = OnceLock::new();
    INTERNER.get_or_init(|| {
        let mut state = InternerState::default();
        for name in ["_raw", "_time"] {
            state.add(name);
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
        match state.ids.get(name) {
            Some(id) => *id,
            None => state.add(name).0,
        }
    }

    fn intern_bounded(
        &self,
        name: &str,
        max_names: usize,
        max_name_bytes: usize,
    ) -> Result<(FieldId, &'static str), Refused> {
        {
            let state = self.inner.read().unwrap_or_else(|e| e.into_inner());
            if let Some((&known, &id)) = state.ids.get_key_value(name) {
                return Ok((id, known));
            }
            if name.len() > max_name_bytes {
                return Err(Refused::TooLong);
            }
            if state.names.len() >= max_names {
                return Err(Refused::Full);
            }
        }
        let mut state = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some((&known, &id)) = state.ids.get_key_value(name) {
            return Ok((id, known));
        }
        if state.names.len() >= max_names {
            return Err(Refused::Full);
        }
        Ok(state.add(name))
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

    #[test]
    fn the_cache_adds_names_within_its_bounds_only() {
        let known = FieldId::intern("field-known-to-the-table");
        // A table already full for this cache: known names still resolve, new ones not.
        let mut full = NameCache::new(0, 100);
        assert_eq!(full.get("field-known-to-the-table"), Ok(known));
        assert_eq!(full.get("field-never-seen-before-1"), Err(Refused::Full));
        assert_eq!(FieldId::lookup("field-never-seen-before-1"), None);
        let mut roomy = NameCache::new(usize::MAX, 25);
        let id = roomy.get("field-never-seen-before-2").expect("room");
        assert_eq!(id.name(), "field-never-seen-before-2");
        assert_eq!(roomy.get("field-never-seen-before-2"), Ok(id));
        assert_eq!(
            roomy.get("field-name-longer-than-25-bytes"),
            Err(Refused::TooLong)
        );
        // A long name that is already in the table (a rule's) is no problem.
        let long = FieldId::intern("a-long-name-a-rule-uses-xxxxxxxxxx");
        assert_eq!(roomy.get("a-long-name-a-rule-uses-xxxxxxxxxx"), Ok(long));
    }

    #[test]
    fn names_at_their_place_resolve_as_by_their_hash() {
        let (a, b, c) = (
            FieldId::intern("place-a"),
            FieldId::intern("place-b"),
            FieldId::intern("place-c"),
        );
        let mut cache = NameCache::new(usize::MAX, 100);
        // One kind of event, another in another order, the first again, one field
        // more: every name gives its own id wherever it is.
        for names in [
            &["place-a", "place-b"][..],
            &["place-b", "place-a", "place-c"],
            &["place-a", "place-b"],
            &["place-a", "place-b", "place-c", "place-a"],
        ] {
            for (place, name) in names.iter().enumerate() {
                let want = [a, b, c][usize::from(name.as_bytes()[6] - b'a')];
                assert_eq!(cache.get_at(place, name), Ok(want), "{name} at {place}");
            }
        }
        // A name the bounds refuse is refused at a place another name holds too.
        assert_eq!(cache.get_at(0, &"x".repeat(101)), Err(Refused::TooLong));
        assert_eq!(cache.get_at(0, "place-a"), Ok(a));
        // Places far past the first are not remembered, and still resolve.
        assert_eq!(cache.get_at(10_000, "place-c"), Ok(c));
    }
}
