//! `haibun export opendata`: the settled budget as open data, into a new folder or a zip file.

use std::io::Write;
use std::path::{Path, PathBuf};

use haibun_domain::FiscalYear;
use haibun_service::{Actor, OpenData, Service};

use crate::output::{CliError, invalid};

/// The package written beside its destination, put in place once its making is recorded.
enum Staged {
    Zip(tempfile::NamedTempFile),
    Folder(tempfile::TempDir),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.display().to_string(), source }
}

/// Writes every file under a temporary name in `parent`, synced.
fn stage(data: &OpenData, output: &Path, parent: &Path, as_zip: bool) -> Result<Staged, CliError> {
    if as_zip {
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(io(output))?;
        tmp.write_all(&data.zip()).map_err(io(output))?;
        tmp.as_file().sync_all().map_err(io(output))?;
        return Ok(Staged::Zip(tmp));
    }
    let dir = tempfile::Builder::new().prefix(".haibun-opendata-").tempdir_in(parent).map_err(io(output))?;
    for f in &data.files {
        let path = dir.path().join(&f.path);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(io(d))?;
        }
        let mut file = std::fs::File::create(&path).map_err(io(&path))?;
        file.write_all(&f.bytes).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
    }
    Ok(Staged::Folder(dir))
}

/// Writes the open-data package of `fy` to `output`: a folder (new, or empty) or a `.zip` file.
/// Everything is checked and written under a temporary name beside it before the making is
/// recorded in the audit trail, then put in place; a refusal or a failure leaves nothing behind
/// and records nothing.
pub async fn export(svc: &Service, actor: &Actor, fy: FiscalYear, output: &Path) -> Result<(), CliError> {
    let as_zip = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let parent: PathBuf = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    if !parent.is_dir() {
        return Err(invalid(
            "--output",
            "出力先のフォルダの親フォルダがありません / the output's parent folder does not exist",
        ));
    }
    if output.exists() {
        let empty_folder = output.is_dir() && std::fs::read_dir(output).map_err(io(output))?.next().is_none();
        let ok = if as_zip { output.is_file() } else { empty_folder };
        if !ok {
            return Err(invalid(
                "--output",
                "出力先は新しいフォルダか空のフォルダ、または .zip ファイルを指定してください / the output must be a new or empty folder, or a .zip file",
            ));
        }
    }
    let (data, staged) = svc.open_data(actor, fy, |data| stage(data, output, &parent, as_zip)).await?;
    match staged {
        Staged::Zip(tmp) => {
            tmp.persist(output).map_err(|e| io(output)(e.error))?;
        }
        Staged::Folder(dir) => {
            if output.is_dir() {
                std::fs::remove_dir(output).map_err(io(output))?;
            }
            std::fs::rename(dir.path(), output).map_err(io(output))?;
            // Renamed: nothing is left for the guard to remove.
            let _ = dir.keep();
        }
    }
    println!("{}（取りまとめ #{}）/ compilation #{}", data.title, data.snapshot_id, data.snapshot_id);
    for f in &data.files {
        println!("  {:<32} {:>10} バイト/bytes", f.path, f.bytes.len());
    }
    println!("ライセンス / licence: {} <{}>", svc.licence().title, svc.licence().path);
    println!("書き出しました / written: {}", output.display());
    Ok(())
}
