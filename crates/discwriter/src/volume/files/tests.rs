use super::*;

/// A directory record (ECMA-119 9.1).
fn record(name: &[u8], lba: u32, length: u32, directory: bool) -> Vec<u8> {
    let len = 33 + name.len() + (name.len() + 1) % 2;
    let mut r = vec![0u8; len];
    r[0] = len as u8;
    r[2..6].copy_from_slice(&lba.to_le_bytes());
    r[6..10].copy_from_slice(&lba.to_be_bytes());
    r[10..14].copy_from_slice(&length.to_le_bytes());
    r[14..18].copy_from_slice(&length.to_be_bytes());
    r[25] = if directory { 2 } else { 0 };
    r[32] = name.len() as u8;
    r[33..33 + name.len()].copy_from_slice(name);
    r
}

/// A disc of 64 sectors: a primary volume descriptor at 16 with its root at 20.
fn disc(root: &[u8]) -> Vec<Vec<u8>> {
    let mut sectors = vec![vec![0u8; SECTOR]; 64];
    let pvd = &mut sectors[16];
    pvd[0] = 1;
    pvd[1..6].copy_from_slice(b"CD001");
    pvd[6] = 1;
    pvd[80..84].copy_from_slice(&64u32.to_le_bytes());
    pvd[84..88].copy_from_slice(&64u32.to_be_bytes());
    pvd[128..130].copy_from_slice(&2048u16.to_le_bytes());
    let r = record(&[0], 20, 2048, true);
    pvd[156..156 + r.len()].copy_from_slice(&r);
    sectors[20][..root.len().min(SECTOR)].copy_from_slice(&root[..root.len().min(SECTOR)]);
    sectors
}

fn list_of(sectors: &[Vec<u8>]) -> Option<Listing> {
    list(0, &mut |lba, n| {
        let mut out = Vec::new();
        for i in lba..lba.checked_add(n)? {
            out.extend_from_slice(sectors.get(i as usize)?);
        }
        Some(out)
    })
}

#[test]
fn files_and_subdirectories_are_listed_with_their_extents() {
    let mut root = [record(&[0], 20, 2048, true), record(&[1], 20, 2048, true)].concat();
    root.extend(record(b"A.TXT;1", 30, 5000, false));
    root.extend(record(b"SUB", 21, 2048, true));
    let mut d = disc(&root);
    let sub = [
        record(&[0], 21, 2048, true),
        record(b"B.BIN;1", 40, 2048, false),
    ]
    .concat();
    d[21][..sub.len()].copy_from_slice(&sub);
    let l = list_of(&d).unwrap();
    assert_eq!(
        l.files,
        [
            IsoFile {
                path: "/A.TXT".into(),
                lba: 30,
                sectors: 3
            },
            IsoFile {
                path: "/SUB/B.BIN".into(),
                lba: 40,
                sectors: 1
            },
        ]
    );
    assert!(l.unreadable_directories.is_empty());
    let hit: Vec<&str> = overlapping(&l.files, 32, 8)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(hit, ["/A.TXT"]);
}

#[test]
fn no_volume_descriptor_is_no_listing() {
    assert_eq!(list_of(&vec![vec![0u8; SECTOR]; 64]), None);
    assert_eq!(list_of(&[]), None);
}

#[test]
fn hostile_directories_end_without_a_panic() {
    // A directory that contains itself under another name, and one that loops to the root.
    let mut root = record(b"LOOP", 20, 2048, true);
    root.extend(record(b"HUGE", 22, u32::MAX, true));
    root.extend(record(b"FAR", u32::MAX, 2048, true));
    root.extend(record(b"F;1", u32::MAX, u32::MAX, false));
    // A record whose length runs past the sector, then a truncated one.
    root.extend([200u8, 0, 1, 2]);
    let l = list_of(&disc(&root)).unwrap();
    assert_eq!(l.files.len(), 1);
    assert_eq!(l.unreadable_directories, ["/LOOP", "/HUGE", "/FAR"]);
    // A name length past the record, and records shorter than their fixed part.
    let mut bad = record(b"X", 30, 1, false);
    bad[32] = 250;
    bad.extend([33u8; 40]);
    assert!(list_of(&disc(&bad)).unwrap().files.is_empty());
}

/// A directory record with `system_use` after the name (and its padding byte).
fn record_with(name: &[u8], lba: u32, length: u32, directory: bool, system_use: &[u8]) -> Vec<u8> {
    let mut r = record(name, lba, length, directory);
    r.extend_from_slice(system_use);
    r[0] = r.len() as u8;
    r
}

/// A SUSP entry (IEEE P1281 4.1): signature, length, version 1, data.
fn susp(signature: &[u8; 2], data: &[u8]) -> Vec<u8> {
    [signature.as_slice(), &[(4 + data.len()) as u8, 1], data].concat()
}

/// A Rock Ridge NM entry (RRIP 4.1.4) with `flags`.
fn nm(flags: u8, name: &str) -> Vec<u8> {
    susp(b"NM", &[&[flags], name.as_bytes()].concat())
}

/// SUSP's SP entry (IEEE P1281 5.3), in the root's "." record: Rock Ridge is in use.
fn sp() -> Vec<u8> {
    susp(b"SP", &[0xBE, 0xEF, 0])
}

/// A both-endian 32-bit field.
fn both(v: u32) -> Vec<u8> {
    [v.to_le_bytes(), v.to_be_bytes()].concat()
}

#[test]
fn rock_ridge_names_are_the_names_a_mounted_disc_shows() {
    let mut root = record_with(&[0], 20, 2048, true, &sp());
    root.extend(record(&[1], 20, 2048, true));
    root.extend(record_with(
        b"REPORT_F.PDF;1",
        30,
        4096,
        false,
        &nm(0, "Report for 2026.pdf"),
    ));
    // A name in two NM components, the second in a continuation area (CE) at sector 40,
    // offset 100.
    let ce = susp(b"CE", &[both(40), both(100), both(30)].concat());
    root.extend(record_with(
        b"LONGNAME.TXT;1",
        32,
        2048,
        false,
        &[nm(1, "a name in "), ce].concat(),
    ));
    // No NM: the ISO 9660 name.
    root.extend(record_with(
        b"PLAIN.BIN;1",
        33,
        2048,
        false,
        &susp(b"PX", &[0; 32]),
    ));
    root.extend(record_with(b"SUBDIR", 21, 2048, true, &nm(0, "Sub dir")));
    let mut d = disc(&root);
    let cont = nm(0, "two parts.txt");
    d[40][100..100 + cont.len()].copy_from_slice(&cont);
    let sub = [
        record(&[0], 21, 2048, true),
        record_with(b"X.JPG;1", 34, 2048, false, &nm(0, "Holiday photo.jpeg")),
    ]
    .concat();
    d[21][..sub.len()].copy_from_slice(&sub);
    let l = list_of(&d).unwrap();
    let names: Vec<(&str, u32)> = l.files.iter().map(|f| (f.path.as_str(), f.lba)).collect();
    assert_eq!(
        names,
        [
            ("/Report for 2026.pdf", 30),
            ("/a name in two parts.txt", 32),
            ("/PLAIN.BIN", 33),
            ("/Sub dir/Holiday photo.jpeg", 34),
        ]
    );
}

#[test]
fn joliet_names_are_read_when_there_is_no_rock_ridge() {
    let mut root = [record(&[0], 20, 2048, true), record(&[1], 20, 2048, true)].concat();
    root.extend(record(b"RSUM.TXT;1", 30, 2048, false));
    let mut d = disc(&root);
    // A supplementary volume descriptor at 17 (UCS-2 level 3), its root at 24, then the
    // set terminator at 18.
    let svd = &mut d[17];
    svd[0] = 2;
    svd[1..6].copy_from_slice(b"CD001");
    svd[6] = 1;
    svd[88..91].copy_from_slice(b"%/E");
    let r = record(&[0], 24, 2048, true);
    svd[156..156 + r.len()].copy_from_slice(&r);
    d[18][0] = 255;
    d[18][1..6].copy_from_slice(b"CD001");
    let ucs2 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_be_bytes).collect() };
    let joliet = [
        record(&[0], 24, 2048, true),
        record(&ucs2("Résumé 2026.txt;1"), 30, 2048, false),
    ]
    .concat();
    d[24][..joliet.len()].copy_from_slice(&joliet);
    let l = list_of(&d).unwrap();
    let names: Vec<&str> = l.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names, ["/Résumé 2026.txt"]);
}

#[test]
fn hostile_rock_ridge_entries_end_without_a_panic() {
    // A continuation area that points at itself, one far off the disc, one past its sector,
    // an entry whose length runs past the record, and an NM of no data.
    let looping = susp(b"CE", &[both(40), both(0), both(40)].concat());
    let far = susp(
        b"CE",
        &[both(u32::MAX), both(u32::MAX), both(u32::MAX)].concat(),
    );
    let past = susp(b"CE", &[both(41), both(2040), both(100)].concat());
    let mut root = record_with(&[0], 20, 2048, true, &sp());
    root.extend(record_with(
        b"A;1",
        30,
        2048,
        false,
        &[nm(1, "a"), looping.clone()].concat(),
    ));
    root.extend(record_with(
        b"B;1",
        31,
        2048,
        false,
        &[nm(1, "b"), far].concat(),
    ));
    root.extend(record_with(
        b"C;1",
        32,
        2048,
        false,
        &[nm(1, "c"), past].concat(),
    ));
    root.extend(record_with(
        b"D;1",
        33,
        2048,
        false,
        &[b"NM".as_slice(), &[200, 1, 0]].concat(),
    ));
    root.extend(record_with(b"E;1", 34, 2048, false, &susp(b"NM", &[])));
    let mut d = disc(&root);
    let again = [nm(1, "a"), looping].concat();
    d[40][..again.len()].copy_from_slice(&again);
    let l = list_of(&d).unwrap();
    let names: Vec<&str> = l.files.iter().map(|f| f.path.as_str()).collect();
    // The loop is cut after a bounded number of continuation areas; the others fall back to
    // the ISO 9660 name.
    assert_eq!(names[0], format!("/{}", "a".repeat(MAX_CONTINUATIONS + 1)));
    assert_eq!(&names[1..], ["/B", "/C", "/D", "/E"]);
}
