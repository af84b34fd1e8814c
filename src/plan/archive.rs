//! In-memory tar archives: build contexts for the engine, and files uploaded into containers
//! (the API takes a tar, which also works against a remote `DOCKER_HOST`).

/// One regular file in an archive.
pub struct Entry<'a> {
    pub path: &'a str,
    pub data: &'a [u8],
    pub mode: u32,
    /// Owner inside the container, so an unprivileged server can read (or write) it.
    pub uid: u64,
}

pub fn tar<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> std::io::Result<Vec<u8>> {
    // A fixed mtime keeps archives, and so build contexts, byte-for-byte reproducible.
    tar_with(&[], entries.into_iter().map(|e| (e, 0)))
}

/// A directory an archive creates, with its owner: Docker creates a missing parent as root,
/// where an unprivileged server could not write.
pub struct Dir<'a> {
    pub path: &'a str,
    pub uid: u64,
}

/// Like `tar`, with `dirs` first and each file's mtime (seconds since the epoch) given.
pub fn tar_with<'a>(dirs: &[Dir<'_>], files: impl IntoIterator<Item = (Entry<'a>, u64)>) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for d in dirs {
        let mut header = tar::Header::new_gnu();
        header.set_size(0);
        header.set_mode(0o755);
        header.set_uid(d.uid);
        header.set_gid(d.uid);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Directory);
        builder.append_data(&mut header, format!("{}/", d.path.trim_end_matches('/')), std::io::empty())?;
    }
    for (e, mtime) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(e.data.len() as u64);
        header.set_mode(e.mode);
        header.set_uid(e.uid);
        header.set_gid(e.uid);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, e.path, e.data)?;
    }
    builder.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_hold_the_files_with_owner_and_mode() {
        let bytes = tar([Entry { path: "conf/context.xml", data: b"<Context/>", mode: 0o644, uid: 8080 }]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<_> = archive.entries().unwrap().map(|e| e.unwrap()).collect();
        assert_eq!(entries.len(), 1);
        let h = entries[0].header();
        assert_eq!(h.path().unwrap().to_str(), Some("conf/context.xml"));
        assert_eq!(h.uid().unwrap(), 8080);
        assert_eq!(h.mode().unwrap(), 0o644);
        assert_eq!(h.size().unwrap(), 10);
    }
}
