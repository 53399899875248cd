//! A writer of small MaxMind DB files with City-style records.
//!
//! The file layout follows the MaxMind DB format, version 2.0: a binary search tree over
//! the address bits (records of 24, 28 or 32 bits), sixteen zero bytes, the data section
//! (maps, UTF-8 strings, doubles, unsigned integers, arrays), then the marker
//! `\xAB\xCD\xEFMaxMind.com` and the metadata map.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Names of a place by language code (`en`, `de`, `pt-BR`, ...), as in GeoIP2 records.
pub type Names = BTreeMap<String, String>;

/// A subdivision (state, province, region) of a [`CityRecord`]; the first one is what
/// `iplocation` reports as `Region`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subdivision {
    /// ISO 3166-2 code of the subdivision, without the country part (`ENG`, `CA`).
    pub iso_code: Option<String>,
    /// Names by language.
    pub names: Names,
}

/// The data of one network in a City database: the subset of the GeoIP2-City record that
/// `iplocation` reads.
///
/// Empty names, an empty subdivision list and `None` values are left out of the written
/// record.
///
/// ```
/// use spl_runtime::geoip::CityRecord;
///
/// let london = CityRecord::new()
///     .city("en", "London")
///     .country("GB", "en", "United Kingdom")
///     .region("ENG", "en", "England")
///     .continent("EU", "en", "Europe")
///     .location(51.5142, -0.0931)
///     .time_zone("Europe/London");
/// assert_eq!(london.city["en"], "London");
/// assert_eq!(london.subdivisions[0].names["en"], "England");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CityRecord {
    /// `city.names`.
    pub city: Names,
    /// `continent.code` (`EU`, `NA`, ...).
    pub continent_code: Option<String>,
    /// `continent.names`.
    pub continent: Names,
    /// `country.iso_code` (ISO 3166-1 alpha-2).
    pub country_iso_code: Option<String>,
    /// `country.names`.
    pub country: Names,
    /// `subdivisions`, largest first.
    pub subdivisions: Vec<Subdivision>,
    /// `location.latitude`.
    pub latitude: Option<f64>,
    /// `location.longitude`.
    pub longitude: Option<f64>,
    /// `location.time_zone` (an IANA time zone name).
    pub time_zone: Option<String>,
    /// `location.metro_code`.
    pub metro_code: Option<u16>,
}

impl CityRecord {
    /// An empty record.
    pub fn new() -> CityRecord {
        CityRecord::default()
    }

    /// Adds the city's name in language `lang`.
    pub fn city(mut self, lang: &str, name: &str) -> CityRecord {
        self.city.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Sets the country's ISO code and adds its name in language `lang`.
    pub fn country(mut self, iso_code: &str, lang: &str, name: &str) -> CityRecord {
        self.country_iso_code = Some(iso_code.to_owned());
        self.country.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Adds the country's name in language `lang`.
    pub fn country_name(mut self, lang: &str, name: &str) -> CityRecord {
        self.country.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Sets the first subdivision's ISO code and adds its name in language `lang`.
    pub fn region(mut self, iso_code: &str, lang: &str, name: &str) -> CityRecord {
        let first = self.first_subdivision();
        first.iso_code = Some(iso_code.to_owned());
        first.names.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Adds the first subdivision's name in language `lang`.
    pub fn region_name(mut self, lang: &str, name: &str) -> CityRecord {
        let first = self.first_subdivision();
        first.names.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Sets the continent's code and adds its name in language `lang`.
    pub fn continent(mut self, code: &str, lang: &str, name: &str) -> CityRecord {
        self.continent_code = Some(code.to_owned());
        self.continent.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Adds the continent's name in language `lang`.
    pub fn continent_name(mut self, lang: &str, name: &str) -> CityRecord {
        self.continent.insert(lang.to_owned(), name.to_owned());
        self
    }

    /// Sets latitude and longitude.
    pub fn location(mut self, latitude: f64, longitude: f64) -> CityRecord {
        self.latitude = Some(latitude);
        self.longitude = Some(longitude);
        self
    }

    /// Sets the time zone.
    pub fn time_zone(mut self, time_zone: &str) -> CityRecord {
        self.time_zone = Some(time_zone.to_owned());
        self
    }

    /// Sets the metro code.
    pub fn metro_code(mut self, metro_code: u16) -> CityRecord {
        self.metro_code = Some(metro_code);
        self
    }

    fn first_subdivision(&mut self) -> &mut Subdivision {
        if self.subdivisions.is_empty() {
            self.subdivisions.push(Subdivision::default());
        }
        &mut self.subdivisions[0]
    }

    /// Every language code used by a name in the record.
    fn languages(&self, into: &mut BTreeSet<String>) {
        let all = [&self.city, &self.country, &self.continent];
        for names in all
            .into_iter()
            .chain(self.subdivisions.iter().map(|s| &s.names))
        {
            into.extend(names.keys().cloned());
        }
    }

    /// The record in the data section's encoding.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), WriterError> {
        let mut top: Vec<(&str, Encoded)> = Vec::new();
        if !self.city.is_empty() {
            top.push(("city", map(vec![("names", names(&self.city))])));
        }
        let mut continent = Vec::new();
        if let Some(code) = &self.continent_code {
            continent.push(("code", Encoded::Str(code)));
        }
        if !self.continent.is_empty() {
            continent.push(("names", names(&self.continent)));
        }
        if !continent.is_empty() {
            top.push(("continent", map(continent)));
        }
        let mut country = Vec::new();
        if let Some(code) = &self.country_iso_code {
            country.push(("iso_code", Encoded::Str(code)));
        }
        if !self.country.is_empty() {
            country.push(("names", names(&self.country)));
        }
        if !country.is_empty() {
            top.push(("country", map(country)));
        }
        let mut location = Vec::new();
        if let Some(latitude) = self.latitude {
            location.push(("latitude", Encoded::Double(latitude)));
        }
        if let Some(longitude) = self.longitude {
            location.push(("longitude", Encoded::Double(longitude)));
        }
        if let Some(metro) = self.metro_code {
            location.push(("metro_code", Encoded::Uint16(metro)));
        }
        if let Some(zone) = &self.time_zone {
            location.push(("time_zone", Encoded::Str(zone)));
        }
        if !location.is_empty() {
            top.push(("location", map(location)));
        }
        if !self.subdivisions.is_empty() {
            let list = self
                .subdivisions
                .iter()
                .map(|s| {
                    let mut entry = Vec::new();
                    if let Some(code) = &s.iso_code {
                        entry.push(("iso_code", Encoded::Str(code)));
                    }
                    if !s.names.is_empty() {
                        entry.push(("names", names(&s.names)));
                    }
                    map(entry)
                })
                .collect();
            top.push(("subdivisions", Encoded::Array(list)));
        }
        map(top).write(out)
    }
}

/// An error building a database with [`DatabaseWriter`].
#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    /// The network is neither `address/prefix` nor a bare address.
    #[error("not a network in CIDR notation: {0:?}")]
    Network(String),
    /// An IPv6 network was inserted into an IPv4 database.
    #[error("IPv6 network {0:?} in an IPv4 database")]
    Ipv6InIpv4(String),
    /// A record size other than 24, 28 or 32 bits, or one too small for the database.
    #[error("record size {bits} cannot hold this database (needs values up to {needed})")]
    RecordSize {
        /// The record size asked for.
        bits: u16,
        /// The largest record value the database needs.
        needed: u64,
    },
    /// The database or one of its strings is larger than the format allows.
    #[error("the database is larger than the MaxMind DB format allows")]
    TooLarge,
    /// Writing the file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file written.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// The IP version of a database's search tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpVersion {
    /// A 32-bit tree: IPv4 networks only.
    V4,
    /// A 128-bit tree: IPv6 networks, and IPv4 networks under `::/96`.
    V6,
}

/// Builds a small MaxMind DB (`.mmdb`) file from networks and their [`CityRecord`]s.
///
/// For tests, and for a database made from one's own data (a CSV of networks and places,
/// say) to use with `iplocation`. The file is what [`GeoIp`](super::GeoIp) and other
/// MaxMind DB readers open.
///
/// - Networks are `address/prefix` (`81.2.69.0/24`, `2001:db8::/32`) or a bare address
///   (one address). Host bits past the prefix are ignored.
/// - In an IPv6 database (the default) an IPv4 network `a.b.c.d/n` lies at
///   `::a.b.c.d/(96+n)`, where MaxMind DB readers look IPv4 addresses up.
/// - Where networks overlap, the longer prefix wins for the addresses it covers, whatever
///   the order of insertion; the same network inserted twice keeps the later record.
/// - Identical records are stored once.
/// - The record size is the smallest of 24, 28 and 32 bits that holds the tree, unless
///   [`record_size`](DatabaseWriter::record_size) asks for one.
///
/// ```
/// use spl_runtime::geoip::{CityRecord, DatabaseWriter, GeoFields, GeoIp};
///
/// let mut writer = DatabaseWriter::new();
/// writer
///     .insert("81.2.69.0/24", CityRecord::new().city("en", "London").location(51.5142, -0.0931))
///     .expect("a network");
/// let geoip = GeoIp::from_bytes(writer.to_bytes().expect("a database")).expect("readable");
///
/// let fields = GeoFields::new("", false, "");
/// let mut seen = Vec::new();
/// geoip.locate(&fields, "81.2.69.160", &mut |name, value| seen.push(format!("{name}={value}")));
/// assert_eq!(seen, ["City=London", "Country=", "Region=", "lat=51.51420", "lon=-0.09310"]);
/// ```
#[derive(Clone, Debug)]
pub struct DatabaseWriter {
    ip_version: IpVersion,
    record_size: Option<u16>,
    database_type: String,
    description: String,
    build_epoch: Option<u64>,
    /// Records, each stored once per distinct value of the list.
    records: Vec<CityRecord>,
    /// (network bits in tree order, prefix length in tree bits, record index), in
    /// insertion order.
    networks: Vec<(u128, u8, usize)>,
}

impl Default for DatabaseWriter {
    fn default() -> DatabaseWriter {
        DatabaseWriter::new()
    }
}

impl DatabaseWriter {
    /// An empty IPv6 database of type `GeoIP2-City`.
    pub fn new() -> DatabaseWriter {
        DatabaseWriter {
            ip_version: IpVersion::V6,
            record_size: None,
            database_type: "GeoIP2-City".to_owned(),
            description: "City database".to_owned(),
            build_epoch: None,
            records: Vec::new(),
            networks: Vec::new(),
        }
    }

    /// Sets the IP version of the tree (before inserting networks; IPv4 networks already
    /// inserted keep the place they had).
    pub fn ip_version(mut self, version: IpVersion) -> DatabaseWriter {
        self.ip_version = version;
        self
    }

    /// Asks for a record size: 24, 28 or 32 bits.
    pub fn record_size(mut self, bits: u16) -> DatabaseWriter {
        self.record_size = Some(bits);
        self
    }

    /// Sets the metadata's `database_type` (default `GeoIP2-City`).
    pub fn database_type(mut self, database_type: &str) -> DatabaseWriter {
        database_type.clone_into(&mut self.database_type);
        self
    }

    /// Sets the metadata's English `description`.
    pub fn description(mut self, description: &str) -> DatabaseWriter {
        description.clone_into(&mut self.description);
        self
    }

    /// Sets the metadata's `build_epoch` (seconds since 1970; default: the time of
    /// writing).
    pub fn build_epoch(mut self, seconds: u64) -> DatabaseWriter {
        self.build_epoch = Some(seconds);
        self
    }

    /// Adds a network (`81.2.69.0/24`, `2001:db8::/32`, or one address) with its record.
    ///
    /// # Errors
    ///
    /// [`WriterError::Network`] for text that is not a network, and
    /// [`WriterError::Ipv6InIpv4`] for an IPv6 network in an IPv4 database.
    pub fn insert(&mut self, network: &str, record: CityRecord) -> Result<(), WriterError> {
        let bad = || WriterError::Network(network.to_owned());
        let (address, prefix) = match network.split_once('/') {
            Some((address, prefix)) => {
                if prefix.is_empty()
                    || prefix.len() > 3
                    || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(bad());
                }
                (address, Some(prefix.parse::<u8>().map_err(|_| bad())?))
            }
            None => (network, None),
        };
        let address = IpAddr::from_str(address).map_err(|_| bad())?;
        let (bits, prefix) = match (address, self.ip_version) {
            (IpAddr::V4(v4), version) => {
                let prefix = prefix.unwrap_or(32);
                if prefix > 32 {
                    return Err(bad());
                }
                let bits = u128::from(u32::from(v4));
                match version {
                    IpVersion::V4 => (bits << 96, prefix),
                    IpVersion::V6 => (bits, prefix + 96),
                }
            }
            (IpAddr::V6(_), IpVersion::V4) => {
                return Err(WriterError::Ipv6InIpv4(network.to_owned()))
            }
            (IpAddr::V6(v6), IpVersion::V6) => {
                let prefix = prefix.unwrap_or(128);
                if prefix > 128 {
                    return Err(bad());
                }
                (u128::from(v6), prefix)
            }
        };
        let index = match self.records.iter().position(|r| *r == record) {
            Some(index) => index,
            None => {
                self.records.push(record);
                self.records.len() - 1
            }
        };
        self.networks
            .push((bits & prefix_mask(prefix), prefix, index));
        Ok(())
    }

    /// The database file's bytes.
    ///
    /// # Errors
    ///
    /// [`WriterError::RecordSize`] when the record size asked for cannot hold the tree, and
    /// [`WriterError::TooLarge`] past the format's limits.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WriterError> {
        // The data section: each distinct encoded record once.
        let mut data = Vec::new();
        let mut offsets = Vec::with_capacity(self.records.len());
        let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
        for record in &self.records {
            let mut bytes = Vec::new();
            record.encode(&mut bytes)?;
            let offset = match seen.get(&bytes) {
                Some(&offset) => offset,
                None => {
                    let offset = data.len();
                    data.extend_from_slice(&bytes);
                    seen.insert(bytes, offset);
                    offset
                }
            };
            offsets.push(offset);
        }

        let tree = Tree::build(&self.networks);
        let node_count = tree.nodes.len() as u64;
        let needed = node_count + 16 + data.len() as u64;
        let bits = match self.record_size {
            Some(bits @ (24 | 28 | 32)) if needed < 1u64 << bits => bits,
            Some(bits) => return Err(WriterError::RecordSize { bits, needed }),
            None if needed < 1 << 24 => 24,
            None if needed < 1 << 28 => 28,
            None if needed < 1 << 32 => 32,
            None => return Err(WriterError::TooLarge),
        };
        let value = |slot: Slot| -> u32 {
            let v = match slot {
                Slot::Empty => node_count,
                Slot::Node(n) => u64::from(n),
                Slot::Data(record) => node_count + 16 + offsets[record] as u64,
            };
            // `needed` was checked against the record size, which is at most 32 bits.
            u32::try_from(v).unwrap_or(u32::MAX)
        };

        let mut out =
            Vec::with_capacity(tree.nodes.len() * usize::from(bits / 4) + data.len() + 256);
        for node in &tree.nodes {
            let (l, r) = (value(node[0]), value(node[1]));
            let (lb, rb) = (l.to_be_bytes(), r.to_be_bytes());
            match bits {
                24 => out.extend_from_slice(&[lb[1], lb[2], lb[3], rb[1], rb[2], rb[3]]),
                28 => out.extend_from_slice(&[
                    lb[1],
                    lb[2],
                    lb[3],
                    ((lb[0] & 0x0f) << 4) | (rb[0] & 0x0f),
                    rb[1],
                    rb[2],
                    rb[3],
                ]),
                _ => {
                    out.extend_from_slice(&lb);
                    out.extend_from_slice(&rb);
                }
            }
        }
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");

        let mut languages = BTreeSet::new();
        for record in &self.records {
            record.languages(&mut languages);
        }
        let build_epoch = self.build_epoch.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        let node_count = u32::try_from(node_count).map_err(|_| WriterError::TooLarge)?;
        let metadata = map(vec![
            ("binary_format_major_version", Encoded::Uint16(2)),
            ("binary_format_minor_version", Encoded::Uint16(0)),
            ("build_epoch", Encoded::Uint64(build_epoch)),
            ("database_type", Encoded::Str(&self.database_type)),
            (
                "description",
                map(vec![("en", Encoded::Str(&self.description))]),
            ),
            (
                "ip_version",
                Encoded::Uint16(match self.ip_version {
                    IpVersion::V4 => 4,
                    IpVersion::V6 => 6,
                }),
            ),
            (
                "languages",
                Encoded::Array(languages.iter().map(|l| Encoded::Str(l)).collect()),
            ),
            ("node_count", Encoded::Uint32(node_count)),
            ("record_size", Encoded::Uint16(bits)),
        ]);
        metadata.write(&mut out)?;
        Ok(out)
    }

    /// Writes the database to `path`.
    ///
    /// # Errors
    ///
    /// Those of [`to_bytes`](DatabaseWriter::to_bytes), and [`WriterError::Io`].
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), WriterError> {
        let bytes = self.to_bytes()?;
        std::fs::write(path.as_ref(), bytes).map_err(|source| WriterError::Io {
            path: path.as_ref().to_path_buf(),
            source,
        })
    }
}

/// The mask keeping the first `prefix` bits of a 128-bit value.
fn prefix_mask(prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        p => u128::MAX << (128 - u32::from(p.min(128))),
    }
}

/// One record of a tree node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Empty,
    Node(u32),
    Data(usize),
}

/// The search tree, root first.
struct Tree {
    nodes: Vec<[Slot; 2]>,
}

impl Tree {
    /// Builds the tree of networks whose bits are the top bits of a u128 (`insert` shifted
    /// the networks of a 32-bit tree there).
    fn build(networks: &[(u128, u8, usize)]) -> Tree {
        let mut tree = Tree {
            nodes: vec![[Slot::Empty; 2]],
        };
        // Shorter prefixes first, so that longer ones carve their addresses out of them
        // and no subtree is ever overwritten (the sort is stable: a repeated network keeps
        // its last record).
        let mut order: Vec<&(u128, u8, usize)> = networks.iter().collect();
        order.sort_by_key(|n| n.1);
        for &&(bits, prefix, record) in &order {
            if prefix == 0 {
                tree.set(bits, 1, record);
                tree.set(bits | (1u128 << 127), 1, record);
            } else {
                tree.set(bits, prefix, record);
            }
        }
        tree
    }

    /// Points the `prefix` bits of `bits` at `record`, splitting data slots on the way.
    fn set(&mut self, bits: u128, prefix: u8, record: usize) {
        let mut node = 0usize;
        for depth in 0..prefix {
            let bit = usize::from((bits >> (127 - u32::from(depth))) & 1 == 1);
            if depth + 1 == prefix {
                self.nodes[node][bit] = Slot::Data(record);
                return;
            }
            node = match self.nodes[node][bit] {
                Slot::Node(next) => next as usize,
                slot => {
                    let split = match slot {
                        Slot::Data(_) => [slot, slot],
                        _ => [Slot::Empty; 2],
                    };
                    self.nodes.push(split);
                    let next = self.nodes.len() - 1;
                    self.nodes[node][bit] = Slot::Node(next as u32);
                    next
                }
            };
        }
    }
}

/// A value of the data section, before encoding.
enum Encoded<'a> {
    Str(&'a str),
    Double(f64),
    Uint16(u16),
    Uint32(u32),
    Uint64(u64),
    Map(Vec<(&'a str, Encoded<'a>)>),
    Array(Vec<Encoded<'a>>),
}

fn map<'a>(entries: Vec<(&'a str, Encoded<'a>)>) -> Encoded<'a> {
    Encoded::Map(entries)
}

fn names(names: &Names) -> Encoded<'_> {
    Encoded::Map(
        names
            .iter()
            .map(|(lang, name)| (lang.as_str(), Encoded::Str(name)))
            .collect(),
    )
}

/// Data section type numbers.
const UTF8_STRING: u8 = 2;
const DOUBLE: u8 = 3;
const UINT16: u8 = 5;
const UINT32: u8 = 6;
const MAP: u8 = 7;
const UINT64: u8 = 9;
const ARRAY: u8 = 11;

impl Encoded<'_> {
    fn write(&self, out: &mut Vec<u8>) -> Result<(), WriterError> {
        match self {
            Encoded::Str(s) => {
                control(out, UTF8_STRING, s.len())?;
                out.extend_from_slice(s.as_bytes());
            }
            Encoded::Double(d) => {
                control(out, DOUBLE, 8)?;
                out.extend_from_slice(&d.to_be_bytes());
            }
            Encoded::Uint16(n) => unsigned(out, UINT16, u64::from(*n))?,
            Encoded::Uint32(n) => unsigned(out, UINT32, u64::from(*n))?,
            Encoded::Uint64(n) => unsigned(out, UINT64, *n)?,
            Encoded::Map(entries) => {
                control(out, MAP, entries.len())?;
                for (key, value) in entries {
                    Encoded::Str(key).write(out)?;
                    value.write(out)?;
                }
            }
            Encoded::Array(items) => {
                control(out, ARRAY, items.len())?;
                for item in items {
                    item.write(out)?;
                }
            }
        }
        Ok(())
    }
}

/// An unsigned integer in as few big-endian bytes as hold it (none for zero).
fn unsigned(out: &mut Vec<u8>, kind: u8, n: u64) -> Result<(), WriterError> {
    let bytes = n.to_be_bytes();
    let skip = (n.leading_zeros() / 8) as usize;
    control(out, kind, 8 - skip)?;
    out.extend_from_slice(&bytes[skip..]);
    Ok(())
}

/// The control byte of a value of type `kind` and payload size `size`, then the extended
/// type byte (types past 7) and the size's extra bytes.
fn control(out: &mut Vec<u8>, kind: u8, size: usize) -> Result<(), WriterError> {
    let (size_bits, extra): (u8, &[u8]) = match size {
        0..=28 => (size as u8, &[]),
        29..=284 => (29, &[(size - 29) as u8]),
        285..=65_820 => {
            let n = (size - 285) as u16;
            let b = n.to_be_bytes();
            out_control(out, kind, 30);
            out.extend_from_slice(&b);
            return Ok(());
        }
        65_821..=16_843_036 => {
            let n = (size - 65_821) as u32;
            let b = n.to_be_bytes();
            out_control(out, kind, 31);
            out.extend_from_slice(&b[1..]);
            return Ok(());
        }
        _ => return Err(WriterError::TooLarge),
    };
    out_control(out, kind, size_bits);
    out.extend_from_slice(extra);
    Ok(())
}

fn out_control(out: &mut Vec<u8>, kind: u8, size_bits: u8) {
    if kind <= 7 {
        out.push((kind << 5) | size_bits);
    } else {
        out.push(size_bits);
        out.push(kind - 7);
    }
}
