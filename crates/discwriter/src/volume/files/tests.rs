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
