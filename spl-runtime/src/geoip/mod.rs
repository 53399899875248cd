//! IP geolocation for the `iplocation` command, from a MaxMind DB file (GeoLite2-City,
//! GeoIP2-City, or a database of the same shape such as DB-IP's City Lite).
//!
//! [`GeoIp`] opens the database once; [`GeoFields`] holds, once per `iplocation` stage,
//! the prefixed names of the fields to add and the languages asked for;
//! [`GeoIp::locate`] hands the (name, value) pairs of one address to the caller.
//! [`DatabaseWriter`] builds small databases of the same format.
//!
//! ```
//! use spl_runtime::geoip::{CityRecord, DatabaseWriter, GeoFields, GeoIp};
//!
//! let mut writer = DatabaseWriter::new();
//! let record = CityRecord::new()
//!     .city("en", "London")
//!     .country("GB", "en", "United Kingdom")
//!     .region("ENG", "en", "England")
//!     .location(51.5142, -0.0931);
//! writer.insert("81.2.69.0/24", record).expect("a network");
//! let geoip = GeoIp::from_bytes(writer.to_bytes().expect("a database")).expect("readable");
//!
//! // `iplocation prefix=src_ clientip`, built once for the stage.
//! let fields = GeoFields::new("src_", false, "");
//! let mut added = Vec::new();
//! let found = geoip.locate(&fields, "81.2.69.160", &mut |name, value| {
//!     added.push((name.to_owned(), value))
//! });
//! assert!(found);
//! assert_eq!(added[0], ("src_City".to_owned(), "London".to_owned()));
//! assert_eq!(added[3], ("src_lat".to_owned(), "51.51420".to_owned()));
//! assert!(!geoip.locate(&fields, "10.1.2.3", &mut |_, _| unreachable!()));
//! ```
//!
//! # Semantics
//!
//! Each rule below rests on Splunk's Search Reference page for `iplocation`.
//!
//! - Fields. "Only the City, Country, Region, _time, lat, and lon fields are added" by
//!   default; with `allfields=true`, "City, Continent, Country, MetroCode, Region,
//!   Timezone, _time, lat (latitude), and lon (longitude)". They come in that order
//!   ([`GeoField::DEFAULT`], [`GeoField::ALL`]). `_time` is the event's own time and is
//!   left alone: the database holds no time. `Region` is the first subdivision's name,
//!   `Timezone` the location's time zone, `MetroCode` its metro code.
//! - Addresses without a location. "For IP addresses which do not have a location, such
//!   as internal addresses, no fields are added." An address that the database does not
//!   hold, and a value that is not an address at all (empty, garbage, `1.2.3.4:80`), set
//!   no field: [`GeoIp::locate`] returns `false` and never calls back. Fields that an
//!   earlier command set keep their values. (In a `table`, such an event shows empty
//!   cells for the fields, which is why they are often described as empty.)
//! - Missing parts of a location. "Because all the information might not be available for
//!   each IP address, an event can have empty field values." When the database holds the
//!   address, every field of the set is added, with the empty string for what the record
//!   lacks (the page's example shows rows with an empty `City` and `Country`).
//! - Addresses. "This command supports IPv4 and IPv6 addresses and subnets that use CIDR
//!   notation." A subnet (`81.2.69.0/24`) is looked up by its first address (host bits
//!   cleared). An IPv4-mapped IPv6 address (`::ffff:81.2.69.1`) is the IPv4 address.
//!   Surrounding ASCII whitespace is ignored, as everywhere else in this crate (see
//!   [`crate::cidr`]); anything else around the address (a port, a zone) makes it no
//!   address.
//! - `lat` and `lon` are printed with five decimals, as on the page's example
//!   (`37.75100`, `-97.82200`).
//! - `lang`. "Renders the resulting strings in different languages. ... To specify more
//!   than one language, separate them with a comma. This also indicates the priority in
//!   descending order. Specify lang=code to return the fields as two letter ISO
//!   abbreviations." Each name is taken in the first listed language the record has;
//!   `code` gives the country's ISO code for `Country`, the first subdivision's for
//!   `Region` and the continent's code for `Continent` (`City` has none). The page does
//!   not say what happens when no listed language is present: the name falls back to
//!   English (`en`, also the default), and is empty without that.
//! - `prefix`. "Specify a string to prefix the field name ... if you specify
//!   prefix=iploc_ the field names that are added to the events become iploc_City,
//!   iploc_County, iploc_lat, and so forth." Default: none.

mod writer;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use maxminddb::{LookupResult, PathElement, Reader};

pub use writer::{CityRecord, DatabaseWriter, IpVersion, Names, Subdivision, WriterError};

/// An error opening a GeoIP database.
#[derive(Debug, thiserror::Error)]
pub enum GeoIpError {
    /// The file could not be read.
    #[error("cannot read the GeoIP database {}: {source}", path.display())]
    Read {
        /// The database file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a MaxMind DB file.
    #[error("{} is not a MaxMind database: {source}", path.display())]
    Invalid {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it.
        source: maxminddb::MaxMindDbError,
    },
    /// Bytes given to [`GeoIp::from_bytes`] are not a MaxMind DB file.
    #[error("not a MaxMind database: {source}")]
    InvalidBytes {
        /// What is wrong with them.
        source: maxminddb::MaxMindDbError,
    },
}

/// An opened GeoIP database: cheap to clone (the database is shared), `Send` and `Sync`.
#[derive(Clone)]
pub struct GeoIp {
    inner: Arc<Inner>,
}

struct Inner {
    reader: Reader<Vec<u8>>,
    path: Option<PathBuf>,
}

impl fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeoIp")
            .field("path", &self.inner.path)
            .field("database_type", &self.database_type())
            .finish_non_exhaustive()
    }
}

impl GeoIp {
    /// Reads the database file at `path` into memory.
    ///
    /// # Errors
    ///
    /// [`GeoIpError::Read`] when the file cannot be read, [`GeoIpError::Invalid`] when it
    /// is not a MaxMind DB file.
    pub fn open(path: impl AsRef<Path>) -> Result<GeoIp, GeoIpError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| GeoIpError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let reader = Reader::from_source(bytes).map_err(|source| GeoIpError::Invalid {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(GeoIp::with(reader, Some(path.to_path_buf())))
    }

    /// Opens a database held in memory.
    ///
    /// # Errors
    ///
    /// [`GeoIpError::InvalidBytes`] when the bytes are not a MaxMind DB file.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<GeoIp, GeoIpError> {
        let reader =
            Reader::from_source(bytes).map_err(|source| GeoIpError::InvalidBytes { source })?;
        Ok(GeoIp::with(reader, None))
    }

    fn with(reader: Reader<Vec<u8>>, path: Option<PathBuf>) -> GeoIp {
        GeoIp {
            inner: Arc::new(Inner { reader, path }),
        }
    }

    /// The file the database was read from (`None` for [`GeoIp::from_bytes`]).
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The metadata's database type, such as `GeoLite2-City`.
    pub fn database_type(&self) -> &str {
        &self.inner.reader.metadata().database_type
    }

    /// The languages the metadata says the names come in.
    pub fn languages(&self) -> &[String] {
        &self.inner.reader.metadata().languages
    }

    /// Looks up `ip` (the text of the field named to `iplocation`) and, when the database
    /// holds it, calls `out` once for each field of `fields`, in the order of
    /// [`GeoFields::names`], with the prefixed name and the value (empty where the record
    /// has no such information). Returns whether it did.
    ///
    /// Returns `false` without calling `out` for a value that is not an address and for
    /// an address the database does not hold. Never panics: a damaged record gives empty
    /// values.
    pub fn locate(&self, fields: &GeoFields, ip: &str, out: &mut impl FnMut(&str, String)) -> bool {
        let Some(address) = parse_address(ip) else {
            return false;
        };
        let Ok(found) = self.inner.reader.lookup(address) else {
            return false;
        };
        if !found.has_data() {
            return false;
        }
        for (field, name) in &fields.fields {
            out(name, value(&found, *field, &fields.languages));
        }
        true
    }
}

/// One field that `iplocation` adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GeoField {
    /// `City`: the city's name.
    City,
    /// `Continent`: the continent's name.
    Continent,
    /// `Country`: the country's name.
    Country,
    /// `MetroCode`: the metro code.
    MetroCode,
    /// `Region`: the first subdivision's name.
    Region,
    /// `Timezone`: the time zone.
    Timezone,
    /// `lat`: latitude.
    Lat,
    /// `lon`: longitude.
    Lon,
}

impl GeoField {
    /// The fields added by default, in order.
    pub const DEFAULT: [GeoField; 5] = [
        GeoField::City,
        GeoField::Country,
        GeoField::Region,
        GeoField::Lat,
        GeoField::Lon,
    ];

    /// The fields added with `allfields=true`, in order.
    pub const ALL: [GeoField; 8] = [
        GeoField::City,
        GeoField::Continent,
        GeoField::Country,
        GeoField::MetroCode,
        GeoField::Region,
        GeoField::Timezone,
        GeoField::Lat,
        GeoField::Lon,
    ];

    /// The field's name, without prefix.
    ///
    /// ```
    /// assert_eq!(spl_runtime::geoip::GeoField::MetroCode.name(), "MetroCode");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            GeoField::City => "City",
            GeoField::Continent => "Continent",
            GeoField::Country => "Country",
            GeoField::MetroCode => "MetroCode",
            GeoField::Region => "Region",
            GeoField::Timezone => "Timezone",
            GeoField::Lat => "lat",
            GeoField::Lon => "lon",
        }
    }
}

/// What one `iplocation` stage adds: its fields with their prefixed names, and the
/// languages of names in order of preference. Built once per stage.
///
/// ```
/// use spl_runtime::geoip::GeoFields;
///
/// let fields = GeoFields::new("iploc_", true, "es, de");
/// let names: Vec<&str> = fields.names().collect();
/// assert_eq!(names[..3], ["iploc_City", "iploc_Continent", "iploc_Country"]);
/// assert_eq!(names.len(), 8);
/// assert_eq!(fields.languages().collect::<Vec<_>>(), ["es", "de"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeoFields {
    fields: Vec<(GeoField, Box<str>)>,
    languages: Vec<Box<str>>,
}

impl GeoFields {
    /// The fields of `iplocation prefix=<prefix> allfields=<allfields> lang=<lang>`:
    /// `prefix` empty for none, `lang` a comma-separated list (`es,en`, `code`) or empty
    /// for the default, English.
    pub fn new(prefix: &str, allfields: bool, lang: &str) -> GeoFields {
        let set: &[GeoField] = if allfields {
            &GeoField::ALL
        } else {
            &GeoField::DEFAULT
        };
        let fields = set
            .iter()
            .map(|f| (*f, format!("{prefix}{}", f.name()).into_boxed_str()))
            .collect();
        let mut languages: Vec<Box<str>> = lang
            .split(',')
            .map(str::trim_ascii)
            .filter(|l| !l.is_empty())
            .map(Box::from)
            .collect();
        if languages.is_empty() {
            languages.push(Box::from("en"));
        }
        GeoFields { fields, languages }
    }

    /// The prefixed names, in the order [`GeoIp::locate`] sets them.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.fields.iter().map(|(_, name)| &**name)
    }

    /// The fields with their prefixed names, in order.
    pub fn fields(&self) -> impl Iterator<Item = (GeoField, &str)> + '_ {
        self.fields.iter().map(|(field, name)| (*field, &**name))
    }

    /// The languages asked for, most preferred first (`en` when none was).
    pub fn languages(&self) -> impl Iterator<Item = &str> + '_ {
        self.languages.iter().map(|l| &**l)
    }
}

/// The address in a field's text: an IPv4 or IPv6 address, or a subnet's first address;
/// surrounding ASCII whitespace ignored; IPv4-mapped IPv6 addresses as IPv4.
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim_ascii();
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => {
            if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            (address, Some(prefix.parse::<u32>().ok()?))
        }
        None => (text, None),
    };
    let address = IpAddr::from_str(address).ok()?;
    let Some(prefix) = prefix else {
        return Some(address.to_canonical());
    };
    let address = match address {
        IpAddr::V4(v4) => {
            if prefix > 32 {
                return None;
            }
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            IpAddr::from((u32::from(v4) & mask).to_be_bytes())
        }
        IpAddr::V6(v6) => {
            if prefix > 128 {
                return None;
            }
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            IpAddr::from((u128::from(v6) & mask).to_be_bytes())
        }
    };
    Some(address.to_canonical())
}

/// The value of `field` in a found record.
fn value(found: &LookupResult<'_, Vec<u8>>, field: GeoField, languages: &[Box<str>]) -> String {
    use PathElement::{Index, Key};
    match field {
        GeoField::City => name(found, &[Key("city")], None, languages),
        GeoField::Continent => name(found, &[Key("continent")], Some("code"), languages),
        GeoField::Country => name(found, &[Key("country")], Some("iso_code"), languages),
        GeoField::Region => name(
            found,
            &[Key("subdivisions"), Index(0)],
            Some("iso_code"),
            languages,
        ),
        GeoField::Timezone => text(found, &[Key("location"), Key("time_zone")])
            .unwrap_or_default()
            .to_owned(),
        GeoField::MetroCode => metro_code(found),
        GeoField::Lat => coordinate(found, "latitude"),
        GeoField::Lon => coordinate(found, "longitude"),
    }
}

/// The name of the place at `place`, in the first of `languages` it has (`code` being
/// the `code_key` entry when there is one), else in English, else empty.
fn name(
    found: &LookupResult<'_, Vec<u8>>,
    place: &[PathElement<'_>],
    code_key: Option<&str>,
    languages: &[Box<str>],
) -> String {
    let fallback = (!languages.iter().any(|l| &**l == "en")).then_some("en");
    for lang in languages.iter().map(|l| &**l).chain(fallback) {
        let found_text = if lang == "code" {
            match code_key {
                Some(key) => in_place(found, place, &[PathElement::Key(key)]),
                None => None,
            }
        } else {
            in_place(
                found,
                place,
                &[PathElement::Key("names"), PathElement::Key(lang)],
            )
        };
        if let Some(text) = found_text.filter(|t| !t.is_empty()) {
            return text.to_owned();
        }
    }
    String::new()
}

/// The text at `place` followed by `rest` (at most two elements after at most two).
fn in_place<'a>(
    found: &LookupResult<'a, Vec<u8>>,
    place: &[PathElement<'_>],
    rest: &[PathElement<'_>],
) -> Option<&'a str> {
    let mut path: [PathElement<'_>; 4] = [
        PathElement::Index(0),
        PathElement::Index(0),
        PathElement::Index(0),
        PathElement::Index(0),
    ];
    let len = place.len() + rest.len();
    if len > path.len() {
        return None;
    }
    for (slot, element) in path.iter_mut().zip(place.iter().chain(rest)) {
        *slot = element.clone();
    }
    text(found, &path[..len])
}

fn text<'a>(found: &LookupResult<'a, Vec<u8>>, path: &[PathElement<'_>]) -> Option<&'a str> {
    found.decode_path::<&'a str>(path).ok().flatten()
}

/// `location.metro_code` (a uint16 in GeoIP2; wider unsigned types accepted), or empty.
fn metro_code(found: &LookupResult<'_, Vec<u8>>) -> String {
    let path = [PathElement::Key("location"), PathElement::Key("metro_code")];
    let number = match found.decode_path::<u16>(&path) {
        Ok(n) => n.map(u64::from),
        Err(_) => match found.decode_path::<u32>(&path) {
            Ok(n) => n.map(u64::from),
            Err(_) => found.decode_path::<u64>(&path).ok().flatten(),
        },
    };
    number.map(|n| n.to_string()).unwrap_or_default()
}

/// `location.<key>` with five decimals, or empty.
fn coordinate(found: &LookupResult<'_, Vec<u8>>, key: &str) -> String {
    found
        .decode_path::<f64>(&[PathElement::Key("location"), PathElement::Key(key)])
        .ok()
        .flatten()
        .map(|x| format!("{x:.5}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
