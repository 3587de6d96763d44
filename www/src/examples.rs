//! The examples gallery: real situations, each a scenario file under `examples/` with a name,
//! notes saying what it teaches, and expectations (checked natively by `tests/examples.rs`
//! and in the page by the end-to-end tests).

/// An example as the gallery shows it: its id (the file name) and its scenario text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub id: String,
    pub text: String,
}

impl Example {
    /// The example's name, as its scenario names itself.
    pub fn name(&self) -> String {
        iamplay::document::from_scenario_text(&self.text).map(|d| d.name).unwrap_or_default()
    }
}

/// The page fetches the files (`examples/ID.json` beside it) when the gallery first opens,
/// so they are not in its wasm; native tests read them from the repository.
macro_rules! examples {
    ($($id:literal),* $(,)?) => {
        pub const IDS: &[&str] = &[$($id),*];

        #[cfg(not(target_arch = "wasm32"))]
        pub fn bundled() -> Vec<Example> {
            vec![$(Example { id: $id.to_string(), text: include_str!(concat!("../../examples/", $id, ".json")).to_string() }),*]
        }
    };
}

examples![
    "s3-star-over-privilege",
    "s3-read-scoped",
    "s3-read-object-arn-only",
    "s3-read-bucket-arn-only",
    "execution-role-starter-policy",
    "execution-role-scoped",
    "execution-role-token-on-repository",
    "task-role-tags",
    "task-tags-resource-tag",
    "task-tags-principal-tag",
    "ecs-fargate-template",
];

/// A bundled example by id (native tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn find(id: &str) -> Example {
    bundled().into_iter().find(|e| e.id == id).expect("a bundled example")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gallery_holds_every_example_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
            .collect();
        files.sort();
        let mut ids: Vec<String> = IDS.iter().map(|id| id.to_string()).collect();
        ids.sort();
        assert_eq!(ids, files);
    }
}
