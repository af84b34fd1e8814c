//! The settings label (`io.msmlab.spec`): `up` writes the lab's `LabSpec` on each container,
//! and what reads a running lab (verify, its drills) reads it back as `LabSettings`. The tests
//! below serialize specs and read them back, so a field renamed on one side fails here, not
//! as a silent default in a lab.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::engine::ContainerInfo;
use crate::exit::{Classified, ExitStatus};
use crate::labspec::names::SPEC_LABEL;
use crate::labspec::{ImageSource, LabSpec, LockingMode};

/// The settings that shape a lab, as compact JSON: everything in the spec but its name (the
/// label says it) and where the jars came from (they are pinned either way).
pub fn spec_label(spec: &LabSpec) -> String {
    let mut value = serde_json::to_value(spec).expect("a spec serializes");
    if let Value::Object(map) = &mut value {
        map.remove("name");
        map.remove("maven_repo");
    }
    value.to_string()
}

/// What the readers of a running lab need of the settings it was made with. Every field is
/// required (`Option`s too): a label without one was written by another msmlab version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LabSettings {
    /// Official images carry no session probe.
    #[serde(deserialize_with = "image_source")]
    pub images: ImageSource,
    pub sticky: bool,
    /// msm's `lockingMode`, as `--locking-mode` takes it.
    #[serde(deserialize_with = "locking_mode")]
    pub locking_mode: LockingMode,
    /// msm's `storageKeyPrefix` (`None`: msm's default, no prefix).
    #[serde(deserialize_with = "Option::deserialize")]
    pub storage_key_prefix: Option<String>,
}

/// A lab container whose settings label is missing or unreadable.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot read the settings of {container} (label {label}: {reason}); the lab was made by another msmlab version: recreate it with `msmlab up --name {lab} --recreate` and the flags it was made with"
)]
pub struct SettingsError {
    pub lab: String,
    pub container: String,
    pub label: &'static str,
    pub reason: String,
}

impl Classified for SettingsError {
    fn exit_status(&self) -> ExitStatus {
        // Like an incomplete lab: the user's lab, not msmlab's environment, is at fault.
        ExitStatus::BadInput
    }
}

impl LabSettings {
    /// The settings `container` was made with, read from its label.
    pub fn of(container: &ContainerInfo) -> Result<LabSettings, SettingsError> {
        let unreadable = |reason: String| SettingsError { lab: container.lab.clone(), container: container.name.clone(), label: SPEC_LABEL, reason };
        let label = container.spec.as_deref().ok_or_else(|| unreadable("missing".into()))?;
        serde_json::from_str(label).map_err(|e| unreadable(e.to_string()))
    }

    /// msm's `lockingMode` as the lab runs it: none in sticky mode, where msm ignores it.
    pub fn effective_locking_mode(&self) -> Option<&LockingMode> {
        (!self.sticky).then_some(&self.locking_mode)
    }
}

/// `ImageSource` as `LabSpec` writes it: its flag value (`built`, `official`).
fn image_source<'de, D: Deserializer<'de>>(d: D) -> Result<ImageSource, D::Error> {
    let s = String::deserialize(d)?;
    clap::ValueEnum::from_str(&s, false).map_err(|_| serde::de::Error::unknown_variant(&s, &["built", "official"]))
}

/// `LockingMode` as `LabSpec` writes it: its flag value, parsed as the flag is.
fn locking_mode<'de, D: Deserializer<'de>>(d: D) -> Result<LockingMode, D::Error> {
    String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(spec: &LabSpec) -> LabSettings {
        let container = ContainerInfo { name: "msmlab-default-tomcat-1".into(), spec: Some(spec_label(spec)), ..Default::default() };
        LabSettings::of(&container).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn what_up_writes_reads_back_field_by_field() {
        let plain = read_back(&LabSpec::example());
        assert_eq!(plain, LabSettings { images: ImageSource::Built, sticky: false, locking_mode: LockingMode::None, storage_key_prefix: None });
        assert_eq!(plain.effective_locking_mode(), Some(&LockingMode::None));

        let mut official = LabSpec::example();
        official.msm.images = ImageSource::Official;
        assert_eq!(read_back(&official).images, ImageSource::Official);

        let mut sticky = LabSpec::example();
        sticky.shape.sticky = true;
        sticky.msm.locking_mode = LockingMode::All;
        let sticky = read_back(&sticky);
        assert!(sticky.sticky);
        assert_eq!(sticky.effective_locking_mode(), None);

        for mode in ["all", "auto", "uriPattern:/cart/.*"] {
            let mut locked = LabSpec::example();
            locked.msm.locking_mode = mode.parse().unwrap();
            assert_eq!(read_back(&locked).locking_mode.to_string(), mode);
        }

        let mut prefixed = LabSpec::example();
        prefixed.msm.options.storage_key_prefix = Some("static:shop".into());
        assert_eq!(read_back(&prefixed).storage_key_prefix.as_deref(), Some("static:shop"));
    }

    #[test]
    fn a_label_that_cannot_be_read_names_the_container_the_label_and_the_fix() {
        let mut container = ContainerInfo { name: "msmlab-shop-tomcat-1".into(), lab: "shop".into(), ..Default::default() };
        let missing = LabSettings::of(&container).unwrap_err().to_string();
        assert!(missing.starts_with("cannot read the settings of msmlab-shop-tomcat-1 (label io.msmlab.spec: missing)"), "{missing}");
        assert!(missing.contains("`msmlab up --name shop --recreate`"), "{missing}");

        // A field renamed by another version does not fall back to a default.
        let renamed = spec_label(&LabSpec::example()).replace("\"sticky\"", "\"sticky_sessions\"");
        container.spec = Some(renamed);
        let e = LabSettings::of(&container).unwrap_err();
        assert!(e.reason.contains("missing field `sticky`"), "{e}");
        assert_eq!(e.exit_status(), ExitStatus::BadInput);

        container.spec = Some(spec_label(&LabSpec::example()).replace("\"built\"", "\"borrowed\""));
        assert!(LabSettings::of(&container).unwrap_err().reason.contains("borrowed"));
    }
}
