use super::*;

fn london() -> CityRecord {
    CityRecord::new()
        .city("en", "London")
        .city("es", "Londres")
        .country("GB", "en", "United Kingdom")
        .country_name("de", "Vereinigtes Königreich")
        .region("ENG", "en", "England")
        .continent("EU", "en", "Europe")
        .location(51.5142, -0.0931)
        .time_zone("Europe/London")
}

fn mountain_view() -> CityRecord {
    CityRecord::new()
        .city("en", "Mountain View")
        .country("US", "en", "United States")
        .region("CA", "en", "California")
        .continent("NA", "en", "North America")
        .location(37.386, -122.0838)
        .time_zone("America/Los_Angeles")
        .metro_code(807)
}

fn sweden() -> CityRecord {
    CityRecord::new()
        .country("SE", "en", "Sweden")
        .location(62.0, 15.0)
}

fn linkoping() -> CityRecord {
    CityRecord::new()
        .city("en", "Linköping")
        .country("SE", "en", "Sweden")
        .region("E", "en", "Östergötland County")
        .location(58.4167, 15.6167)
}

/// The networks of most tests; 10.0.0.0/8 and the rest of the address space are absent.
fn writer() -> DatabaseWriter {
    let mut writer = DatabaseWriter::new().build_epoch(1_700_000_000);
    for (network, record) in [
        ("81.2.69.0/24", london()),
        ("2001:db8::/32", mountain_view()),
        // The more specific network first: the longer prefix wins whatever the order.
        ("89.160.20.0/24", linkoping()),
        ("89.160.0.0/16", sweden()),
    ] {
        writer.insert(network, record).expect("a network");
    }
    writer
}

fn database(writer: &DatabaseWriter) -> GeoIp {
    let bytes = writer.to_bytes().expect("a database");
    GeoIp::from_bytes(bytes).expect("a database the reader opens")
}

fn db() -> GeoIp {
    database(&writer())
}

/// The pairs `locate` sets, or `None` when it returns false (checking it then set none).
fn locate(geoip: &GeoIp, fields: &GeoFields, ip: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let found = geoip.locate(fields, ip, &mut |name, value| {
        out.push((name.to_owned(), value))
    });
    assert_eq!(
        found,
        !out.is_empty(),
        "{ip:?}: return value and pairs agree"
    );
    found.then_some(out)
}

fn pairs(expected: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    Some(
        expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

fn default_fields() -> GeoFields {
    GeoFields::new("", false, "")
}

const LONDON: &[(&str, &str)] = &[
    ("City", "London"),
    ("Country", "United Kingdom"),
    ("Region", "England"),
    ("lat", "51.51420"),
    ("lon", "-0.09310"),
];

#[test]
fn default_fields_of_an_address_in_a_network() {
    assert_eq!(
        locate(&db(), &default_fields(), "81.2.69.160"),
        pairs(LONDON)
    );
}

#[test]
fn first_and_last_address_of_a_network_and_just_outside() {
    let geoip = db();
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, "81.2.69.0"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "81.2.69.255"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "81.2.68.255"), None);
    assert_eq!(locate(&geoip, &fields, "81.2.70.0"), None);
}

#[test]
fn ipv6_addresses() {
    let geoip = db();
    let fields = default_fields();
    let expected = pairs(&[
        ("City", "Mountain View"),
        ("Country", "United States"),
        ("Region", "California"),
        ("lat", "37.38600"),
        ("lon", "-122.08380"),
    ]);
    assert_eq!(locate(&geoip, &fields, "2001:db8::1"), expected);
    assert_eq!(locate(&geoip, &fields, "2001:DB8:0:0:0:0:0:0"), expected);
    assert_eq!(
        locate(&geoip, &fields, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        expected
    );
    assert_eq!(
        locate(&geoip, &fields, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"),
        None
    );
    assert_eq!(locate(&geoip, &fields, "2001:db9::"), None);
    assert_eq!(locate(&geoip, &fields, "::1"), None);
}

#[test]
fn ipv4_in_an_ipv6_tree_and_ipv4_mapped_addresses() {
    let geoip = db();
    let fields = default_fields();
    // An IPv6 database (the default) holds IPv4 networks under ::/96.
    let reader = Reader::from_source(writer().to_bytes().expect("a database")).expect("readable");
    assert_eq!(reader.metadata().ip_version, 6);
    assert_eq!(locate(&geoip, &fields, "81.2.69.1"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "::ffff:81.2.69.1"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "::ffff:10.0.0.1"), None);
}

#[test]
fn ipv4_only_database() {
    let mut writer = DatabaseWriter::new().ip_version(IpVersion::V4);
    writer.insert("81.2.69.0/24", london()).expect("a network");
    assert!(matches!(
        writer.insert("2001:db8::/32", mountain_view()),
        Err(WriterError::Ipv6InIpv4(_))
    ));
    let bytes = writer.to_bytes().expect("a database");
    let reader = Reader::from_source(bytes.clone()).expect("readable");
    assert_eq!(reader.metadata().ip_version, 4);
    let geoip = GeoIp::from_bytes(bytes).expect("readable");
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, "81.2.69.99"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "::ffff:81.2.69.99"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "81.2.70.1"), None);
    // An IPv6 address cannot be in an IPv4 database: no fields.
    assert_eq!(locate(&geoip, &fields, "2001:db8::1"), None);
}

#[test]
fn private_addresses_set_no_field() {
    let geoip = db();
    let fields = GeoFields::new("", true, "");
    for ip in [
        "10.1.2.3",
        "10.0.0.0",
        "192.168.1.1",
        "127.0.0.1",
        "fe80::1",
    ] {
        assert_eq!(locate(&geoip, &fields, ip), None, "{ip}");
    }
}

#[test]
fn text_that_is_no_address_sets_no_field() {
    let geoip = db();
    let fields = GeoFields::new("", true, "");
    for text in [
        "",
        " ",
        "garbage",
        "81.2.69",
        "81.2.69.1.5",
        "999.2.69.1",
        "81.2.69.1:80",
        "[2001:db8::1]:443",
        "[2001:db8::1]",
        "2001:db8::1%eth0",
        "81.2.69.1/33",
        "81.2.69.1/",
        "81.2.69.1/-1",
        "2001:db8::/129",
        "81.2.69.1 81.2.69.2",
        "81.2.69.1,",
        "\u{0}",
        "ü",
        "81.2.69.1\u{a0}",
    ] {
        assert_eq!(locate(&geoip, &fields, text), None, "{text:?}");
    }
}

#[test]
fn surrounding_whitespace_is_ignored() {
    let geoip = db();
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, " 81.2.69.1"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "81.2.69.1 \t\r\n"), pairs(LONDON));
    assert_eq!(
        locate(&geoip, &fields, "  2001:db8::5 ").map(|p| p[0].1.clone()),
        Some("Mountain View".to_owned())
    );
}

#[test]
fn subnets_are_looked_up_by_their_first_address() {
    let geoip = db();
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, "81.2.69.0/24"), pairs(LONDON));
    assert_eq!(locate(&geoip, &fields, "81.2.69.77/24"), pairs(LONDON));
    // 81.2.68.0/23 starts at 81.2.68.0, which is not in the database.
    assert_eq!(locate(&geoip, &fields, "81.2.68.0/23"), None);
    assert_eq!(
        locate(&geoip, &fields, "2001:db8::/32").map(|p| p[0].1.clone()),
        Some("Mountain View".to_owned())
    );
}

#[test]
fn all_fields_in_order() {
    let geoip = db();
    let fields = GeoFields::new("", true, "");
    assert_eq!(
        locate(&geoip, &fields, "2001:db8:1::1"),
        pairs(&[
            ("City", "Mountain View"),
            ("Continent", "North America"),
            ("Country", "United States"),
            ("MetroCode", "807"),
            ("Region", "California"),
            ("Timezone", "America/Los_Angeles"),
            ("lat", "37.38600"),
            ("lon", "-122.08380"),
        ])
    );
    // London has no metro code: the field is there, empty.
    assert_eq!(
        locate(&geoip, &fields, "81.2.69.1"),
        pairs(&[
            ("City", "London"),
            ("Continent", "Europe"),
            ("Country", "United Kingdom"),
            ("MetroCode", ""),
            ("Region", "England"),
            ("Timezone", "Europe/London"),
            ("lat", "51.51420"),
            ("lon", "-0.09310"),
        ])
    );
}

#[test]
fn missing_information_gives_empty_values() {
    let geoip = db();
    let fields = GeoFields::new("", true, "");
    // 89.160.0.0/16 knows only the country and a location.
    assert_eq!(
        locate(&geoip, &fields, "89.160.99.1"),
        pairs(&[
            ("City", ""),
            ("Continent", ""),
            ("Country", "Sweden"),
            ("MetroCode", ""),
            ("Region", ""),
            ("Timezone", ""),
            ("lat", "62.00000"),
            ("lon", "15.00000"),
        ])
    );
    // A network whose record is empty is still in the database.
    let mut writer = DatabaseWriter::new();
    writer
        .insert("203.0.113.0/24", CityRecord::new())
        .expect("a network");
    let geoip = database(&writer);
    assert_eq!(
        locate(&geoip, &default_fields(), "203.0.113.9"),
        pairs(&[
            ("City", ""),
            ("Country", ""),
            ("Region", ""),
            ("lat", ""),
            ("lon", "")
        ])
    );
}

#[test]
fn longer_prefixes_win_whatever_the_order() {
    let geoip = db();
    let fields = default_fields();
    assert_eq!(
        locate(&geoip, &fields, "89.160.20.128"),
        pairs(&[
            ("City", "Linköping"),
            ("Country", "Sweden"),
            ("Region", "Östergötland County"),
            ("lat", "58.41670"),
            ("lon", "15.61670"),
        ])
    );
    assert_eq!(
        locate(&geoip, &fields, "89.160.21.0").map(|p| p[1].1.clone()),
        Some("Sweden".to_owned())
    );
    assert_eq!(
        locate(&geoip, &fields, "89.160.19.255").map(|p| p[0].1.clone()),
        Some(String::new())
    );
}

#[test]
fn the_whole_space_and_a_repeated_network() {
    let mut writer = DatabaseWriter::new();
    writer.insert("81.2.69.0/24", sweden()).expect("a network");
    writer.insert("::/0", mountain_view()).expect("a network");
    // The same network again: the later record wins.
    writer.insert("81.2.69.0/24", london()).expect("a network");
    let geoip = database(&writer);
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, "81.2.69.200"), pairs(LONDON));
    for ip in ["10.1.2.3", "ffff::1", "::"] {
        assert_eq!(
            locate(&geoip, &fields, ip).map(|p| p[0].1.clone()),
            Some("Mountain View".to_owned()),
            "{ip}"
        );
    }

    let mut writer = DatabaseWriter::new().ip_version(IpVersion::V4);
    writer.insert("0.0.0.0/0", sweden()).expect("a network");
    let geoip = database(&writer);
    for ip in ["0.0.0.0", "255.255.255.255", "10.1.2.3"] {
        assert_eq!(
            locate(&geoip, &fields, ip).map(|p| p[1].1.clone()),
            Some("Sweden".to_owned()),
            "{ip}"
        );
    }
}

#[test]
fn lang_picks_the_language_with_english_as_fallback() {
    let geoip = db();
    let names = |lang: &str| {
        let fields = GeoFields::new("", true, lang);
        locate(&geoip, &fields, "81.2.69.1").map(|p| {
            p.into_iter()
                .filter(|(n, _)| ["City", "Continent", "Country", "Region"].contains(&n.as_str()))
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
        })
    };
    let strings = |s: &[&str]| Some(s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    // City, Continent, Country, Region.
    assert_eq!(
        names("en"),
        strings(&["London", "Europe", "United Kingdom", "England"])
    );
    // Spanish has a city name only; German a country name only.
    assert_eq!(
        names("es"),
        strings(&["Londres", "Europe", "United Kingdom", "England"])
    );
    assert_eq!(
        names("de"),
        strings(&["London", "Europe", "Vereinigtes Königreich", "England"])
    );
    // A language the database lacks: English.
    assert_eq!(
        names("fr"),
        strings(&["London", "Europe", "United Kingdom", "England"])
    );
    // A list: each name in the first language that has it.
    assert_eq!(
        names("fr, de,es"),
        strings(&["Londres", "Europe", "Vereinigtes Königreich", "England"])
    );
    assert_eq!(
        names("es,de"),
        strings(&["Londres", "Europe", "Vereinigtes Königreich", "England"])
    );
    // `code`: ISO codes; a city has none.
    assert_eq!(names("code"), strings(&["London", "EU", "GB", "ENG"]));
    assert_eq!(names("code,es"), strings(&["Londres", "EU", "GB", "ENG"]));
    assert_eq!(
        names("de,code"),
        strings(&["London", "EU", "Vereinigtes Königreich", "ENG"])
    );
    // Commas and spaces alone are the default.
    assert_eq!(
        names(" , "),
        strings(&["London", "Europe", "United Kingdom", "England"])
    );
}

#[test]
fn a_name_in_no_language_asked_for_nor_english_is_empty() {
    let mut writer = DatabaseWriter::new();
    writer
        .insert(
            "198.51.100.0/24",
            CityRecord::new()
                .city("ja", "東京")
                .country("JP", "ja", "日本"),
        )
        .expect("a network");
    let geoip = database(&writer);
    let at = |lang: &str| {
        locate(&geoip, &GeoFields::new("", false, lang), "198.51.100.1")
            .map(|p| (p[0].1.clone(), p[1].1.clone()))
    };
    assert_eq!(at(""), Some((String::new(), String::new())));
    assert_eq!(at("es"), Some((String::new(), String::new())));
    assert_eq!(at("ja"), Some(("東京".to_owned(), "日本".to_owned())));
    assert_eq!(at("code"), Some((String::new(), "JP".to_owned())));
}

#[test]
fn prefix_is_prepended_to_every_name() {
    let geoip = db();
    let fields = GeoFields::new("iploc_", true, "");
    let names: Vec<String> = locate(&geoip, &fields, "81.2.69.1")
        .expect("found")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "iploc_City",
            "iploc_Continent",
            "iploc_Country",
            "iploc_MetroCode",
            "iploc_Region",
            "iploc_Timezone",
            "iploc_lat",
            "iploc_lon"
        ]
    );
    assert_eq!(
        GeoFields::new("src_", false, "")
            .names()
            .collect::<Vec<_>>(),
        [
            "src_City",
            "src_Country",
            "src_Region",
            "src_lat",
            "src_lon"
        ]
    );
    assert_eq!(
        default_fields().fields().collect::<Vec<_>>(),
        [
            (GeoField::City, "City"),
            (GeoField::Country, "Country"),
            (GeoField::Region, "Region"),
            (GeoField::Lat, "lat"),
            (GeoField::Lon, "lon"),
        ]
    );
    assert_eq!(default_fields().languages().collect::<Vec<_>>(), ["en"]);
}

#[test]
fn metadata_of_the_written_database() {
    let bytes = writer()
        .description("Test cities")
        .to_bytes()
        .expect("a database");
    let reader = Reader::from_source(bytes.clone()).expect("readable");
    reader
        .verify()
        .expect("a database that passes the reader's verification");
    let meta = reader.metadata();
    assert_eq!(meta.binary_format_major_version, 2);
    assert_eq!(meta.binary_format_minor_version, 0);
    assert_eq!(meta.build_epoch, 1_700_000_000);
    assert_eq!(meta.database_type, "GeoIP2-City");
    assert_eq!(meta.description["en"], "Test cities");
    assert_eq!(meta.ip_version, 6);
    assert_eq!(meta.languages, ["de", "en", "es"]);
    assert_eq!(meta.record_size, 24);
    // The search tree, the 16-byte separator and the marker where the format puts them.
    let tree = meta.node_count as usize * 6;
    assert_eq!(bytes[tree..tree + 16], [0u8; 16]);
    let marker = b"\xAB\xCD\xEFMaxMind.com";
    assert_eq!(
        bytes.windows(marker.len()).filter(|w| w == marker).count(),
        1
    );

    let geoip = GeoIp::from_bytes(bytes).expect("readable");
    assert_eq!(geoip.database_type(), "GeoIP2-City");
    assert_eq!(geoip.languages(), ["de", "en", "es"]);
    assert_eq!(geoip.path(), None);
    let custom = database(&writer().database_type("My-City"));
    assert_eq!(custom.database_type(), "My-City");
}

#[test]
fn record_sizes_24_28_and_32() {
    for bits in [24u16, 28, 32] {
        let bytes = writer().record_size(bits).to_bytes().expect("a database");
        let reader = Reader::from_source(bytes.clone()).expect("readable");
        reader.verify().expect("valid");
        assert_eq!(reader.metadata().record_size, bits);
        let geoip = GeoIp::from_bytes(bytes).expect("readable");
        let fields = default_fields();
        assert_eq!(
            locate(&geoip, &fields, "81.2.69.7"),
            pairs(LONDON),
            "{bits}"
        );
        assert_eq!(locate(&geoip, &fields, "10.0.0.1"), None, "{bits}");
        assert_eq!(
            locate(&geoip, &fields, "2001:db8::7").map(|p| p[0].1.clone()),
            Some("Mountain View".to_owned()),
            "{bits}"
        );
    }
    assert!(matches!(
        writer().record_size(20).to_bytes(),
        Err(WriterError::RecordSize { bits: 20, .. })
    ));
}

#[test]
fn many_networks_and_a_28_bit_tree_of_them() {
    // 4,096 networks of distinct records: a tree and data section of some size.
    let mut writer = DatabaseWriter::new();
    for i in 0..4096u32 {
        let network = format!("{}.{}.{}.0/24", 11 + i / 256, i % 256, 7);
        let record = CityRecord::new()
            .city("en", &format!("City {i}"))
            .location(f64::from(i) / 100.0, -f64::from(i) / 1000.0);
        writer.insert(&network, record).expect("a network");
    }
    for bits in [24u16, 28] {
        let bytes = writer
            .clone()
            .record_size(bits)
            .to_bytes()
            .expect("a database");
        Reader::from_source(bytes.clone())
            .expect("readable")
            .verify()
            .expect("valid");
        let geoip = GeoIp::from_bytes(bytes).expect("readable");
        let fields = default_fields();
        for i in [0u32, 1, 255, 256, 4095] {
            let ip = format!("{}.{}.7.200", 11 + i / 256, i % 256);
            let got = locate(&geoip, &fields, &ip).expect("found");
            assert_eq!(got[0].1, format!("City {i}"));
            assert_eq!(got[3].1, format!("{:.5}", f64::from(i) / 100.0));
        }
        assert_eq!(locate(&geoip, &fields, "11.0.8.1"), None);
    }
}

#[test]
fn long_strings_use_every_size_encoding() {
    let mut writer = DatabaseWriter::new();
    let lengths = [0usize, 28, 29, 284, 285, 65_820, 65_821, 70_000];
    for (i, len) in lengths.iter().enumerate() {
        let name = "x".repeat(*len);
        writer
            .insert(
                &format!("192.0.2.{i}"),
                CityRecord::new().city("en", &name).country("ZZ", "en", "y"),
            )
            .expect("a network");
    }
    let geoip = database(&writer);
    for (i, len) in lengths.iter().enumerate() {
        let got = locate(&geoip, &default_fields(), &format!("192.0.2.{i}")).expect("found");
        assert_eq!(got[0].1.len(), *len);
        assert_eq!(got[1].1, "y");
    }
}

#[test]
fn writer_rejects_what_is_no_network() {
    let mut writer = DatabaseWriter::new();
    for bad in [
        "",
        "bogus",
        "81.2.69.0/33",
        "81.2.69.0/",
        "81.2.69.0/x",
        "2001:db8::/129",
        " 81.2.69.0/24",
    ] {
        assert!(
            matches!(writer.insert(bad, london()), Err(WriterError::Network(_))),
            "{bad:?}"
        );
    }
    // Host bits are ignored and a bare address is one address.
    writer.insert("81.2.69.77/24", london()).expect("a network");
    writer.insert("198.51.100.7", sweden()).expect("an address");
    let geoip = database(&writer);
    let fields = default_fields();
    assert_eq!(locate(&geoip, &fields, "81.2.69.1"), pairs(LONDON));
    assert!(locate(&geoip, &fields, "198.51.100.7").is_some());
    assert_eq!(locate(&geoip, &fields, "198.51.100.6"), None);
    assert_eq!(locate(&geoip, &fields, "198.51.100.8"), None);
}

#[test]
fn open_reads_a_file_and_reports_the_path() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("cities.mmdb");
    writer().write(&path).expect("written");
    let geoip = GeoIp::open(&path).expect("readable");
    assert_eq!(geoip.path(), Some(path.as_path()));
    assert_eq!(
        locate(&geoip, &default_fields(), "81.2.69.1"),
        pairs(LONDON)
    );

    let missing = dir.path().join("missing.mmdb");
    let error = GeoIp::open(&missing).expect_err("no such file");
    assert!(matches!(&error, GeoIpError::Read { path, .. } if *path == missing));
    assert!(error.to_string().contains("missing.mmdb"), "{error}");

    let junk = dir.path().join("junk.mmdb");
    std::fs::write(&junk, b"not a database").expect("written");
    let error = GeoIp::open(&junk).expect_err("no database");
    assert!(matches!(&error, GeoIpError::Invalid { path, .. } if *path == junk));
    assert!(error.to_string().contains("junk.mmdb"), "{error}");

    assert!(matches!(
        GeoIp::from_bytes(Vec::new()),
        Err(GeoIpError::InvalidBytes { .. })
    ));

    let error = writer()
        .write(dir.path().join("no-such-dir").join("x.mmdb"))
        .expect_err("no such directory");
    assert!(matches!(error, WriterError::Io { .. }));
}

#[test]
fn shared_across_threads() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<GeoIp>();
    send_sync::<GeoFields>();
    let geoip = db();
    let fields = default_fields();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let geoip = geoip.clone();
            let fields = fields.clone();
            std::thread::spawn(move || locate(&geoip, &fields, "81.2.69.1"))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("no panic"), pairs(LONDON));
    }
}

#[test]
fn a_damaged_database_never_panics() {
    let bytes = writer().to_bytes().expect("a database");
    let fields = GeoFields::new("", true, "code,de");
    let ips = ["81.2.69.1", "2001:db8::1", "89.160.20.1", "10.0.0.1", "::"];
    for at in 0..bytes.len() {
        for flip in [0xffu8, 0x01, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            let Ok(geoip) = GeoIp::from_bytes(damaged) else {
                continue;
            };
            for ip in ips {
                let _ = locate(&geoip, &fields, ip);
            }
        }
    }
    for len in 0..bytes.len() {
        if let Ok(geoip) = GeoIp::from_bytes(bytes[..len].to_vec()) {
            for ip in ips {
                let _ = locate(&geoip, &fields, ip);
            }
        }
    }
}
