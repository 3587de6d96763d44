//! The examples gallery: real situations, each a scenario file under `examples/` with a name,
//! notes saying what it teaches, and expectations (checked natively by `tests/examples.rs`
//! and in the page by the end-to-end tests).

pub struct Example {
    pub id: &'static str,
    pub text: &'static str,
}

macro_rules! examples {
    ($($id:literal),* $(,)?) => {
        pub const ALL: &[Example] = &[$(Example { id: $id, text: include_str!(concat!("../../examples/", $id, ".json")) }),*];
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

pub fn find(id: &str) -> Option<&'static Example> {
    ALL.iter().find(|e| e.id == id)
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
        let mut ids: Vec<String> = ALL.iter().map(|e| e.id.to_string()).collect();
        ids.sort();
        assert_eq!(ids, files);
    }
}
