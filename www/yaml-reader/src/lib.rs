//! The YAML reader as a wasm module of its own. The page's main module is built without
//! the core's `yaml` feature and loads this module when a YAML text first appears
//! (`www/yaml-bridge.js`, `www/src/yaml_bridge.rs`); the tree comes back in the flat form of
//! [`iamplay::tree_transfer`], with spans into the text as given.

use wasm_bindgen::prelude::*;

/// Reads a YAML text; returns the tree and diagnostics in the flat transfer form.
#[wasm_bindgen]
pub fn read_yaml(text: &str) -> String {
    iamplay::tree_transfer::encode(&iamplay::yaml::parse(text))
}

#[cfg(test)]
mod tests {
    use iamplay::tree_transfer::decode;

    #[test]
    fn the_tree_crosses_as_read() {
        let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-data'\n";
        assert_eq!(decode(&super::read_yaml(text)).unwrap(), iamplay::yaml::parse(text));
        let broken = "a: [1, 2\n";
        let back = decode(&super::read_yaml(broken)).unwrap();
        assert!(!back.errors.is_empty());
        assert_eq!(back, iamplay::yaml::parse(broken));
    }
}
