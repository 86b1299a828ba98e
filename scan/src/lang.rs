//! The languages the scanner reads, how a file's language is chosen, and which legacy SDK and
//! sigshim drop-in belong to each.

use std::path::Path;

use serde::Serialize;
use sigshim_mapping::Sdk;

/// A source language the scanner parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// JavaScript (`.js`, `.mjs`, `.cjs`, `.jsx`).
    JavaScript,
    /// TypeScript (`.ts`, `.mts`, `.cts`).
    TypeScript,
    /// TSX (`.tsx`).
    Tsx,
    /// HTML, whose inline `<script>` elements are read as JavaScript (`.html`, `.htm`).
    Html,
    /// C (`.c`).
    C,
    /// C++, and headers (`.cc`, `.cpp`, `.cxx`, `.h`, `.hh`, `.hpp`, `.hxx`).
    Cpp,
    /// Java (`.java`).
    Java,
    /// Kotlin (`.kt`, `.kts`).
    Kotlin,
    /// Objective-C (`.m`, `.mm`).
    ObjC,
    /// Swift (`.swift`).
    Swift,
}

/// The legacy SDK a language's programs were written against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Web pages and Node programs: the `Signal` object model of `AgoraSig.js`.
    Web,
    /// C and C++ programs: `agora_sig.h` and `libagorasig`.
    Native,
    /// Android apps: `io.agora.AgoraAPIOnlySignal`.
    Android,
    /// iOS and macOS apps: `AgoraSigKit`, class `AgoraAPI`.
    Apple,
}

impl Language {
    /// The language of a file, from its extension; `None` for files the scanner does not read.
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "js" | "mjs" | "cjs" | "jsx" => Self::JavaScript,
            "ts" | "mts" | "cts" => Self::TypeScript,
            "tsx" => Self::Tsx,
            "html" | "htm" => Self::Html,
            "c" => Self::C,
            "cc" | "cpp" | "cxx" | "c++" | "h" | "hh" | "hpp" | "hxx" => Self::Cpp,
            "java" => Self::Java,
            "kt" | "kts" => Self::Kotlin,
            "m" | "mm" => Self::ObjC,
            "swift" => Self::Swift,
            _ => return None,
        })
    }

    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JavaScript => "JavaScript",
            Self::TypeScript => "TypeScript",
            Self::Tsx => "TSX",
            Self::Html => "HTML",
            Self::C => "C",
            Self::Cpp => "C++",
            Self::Java => "Java",
            Self::Kotlin => "Kotlin",
            Self::ObjC => "Objective-C",
            Self::Swift => "Swift",
        }
    }

    /// The legacy SDK programs in this language used.
    pub fn platform(self) -> Platform {
        match self {
            Self::JavaScript | Self::TypeScript | Self::Tsx | Self::Html => Platform::Web,
            Self::C | Self::Cpp => Platform::Native,
            Self::Java | Self::Kotlin => Platform::Android,
            Self::ObjC | Self::Swift => Platform::Apple,
        }
    }

    /// The tree-sitter grammar for the language (for HTML, the grammar of the page; its scripts
    /// are parsed with [`Language::JavaScript`]'s).
    pub(crate) fn grammar(self) -> tree_sitter::Language {
        match self {
            Self::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Self::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Self::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Self::Html => tree_sitter_html::LANGUAGE.into(),
            Self::C => tree_sitter_c::LANGUAGE.into(),
            Self::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Self::Java => tree_sitter_java::LANGUAGE.into(),
            Self::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
            Self::ObjC => tree_sitter_objc::LANGUAGE.into(),
            Self::Swift => tree_sitter_swift::LANGUAGE.into(),
        }
    }
}

impl Platform {
    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "Web",
            Self::Native => "C/C++",
            Self::Android => "Android",
            Self::Apple => "iOS/macOS",
        }
    }

    /// The SDKs whose spellings (catalog [`Sdk`]) apply to this platform's code.
    pub(crate) fn sdks(self) -> &'static [Sdk] {
        match self {
            Self::Web => &[Sdk::Web],
            Self::Native => &[Sdk::Cpp, Sdk::C, Sdk::Windows],
            Self::Android => &[],
            Self::Apple => &[Sdk::Ios],
        }
    }

    /// The sigshim drop-in that runs this platform's legacy code unchanged, in one line (commands
    /// in backticks).
    pub fn drop_in(self) -> &'static str {
        match self {
            Self::Web => "AgoraSig.js, served by `sigshim serve` at /sdk/AgoraSig.js",
            Self::Native => "libagorasig and agora_sig.h (`sigshim sdk-path` prints where they are)",
            Self::Android => {
                "none yet: no Android drop-in; move these calls to the core or reach libagorasig through JNI"
            }
            Self::Apple => {
                "none yet: no iOS/macOS drop-in; move these calls to the core or reach libagorasig from Objective-C"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_extensions() {
        assert_eq!(Language::of_path(Path::new("a/b/app.JS")), Some(Language::JavaScript));
        assert_eq!(Language::of_path(Path::new("x.hpp")), Some(Language::Cpp));
        assert_eq!(Language::of_path(Path::new("Main.kt")), Some(Language::Kotlin));
        assert_eq!(Language::of_path(Path::new("README.md")), None);
        assert_eq!(Language::of_path(Path::new("Makefile")), None);
    }
}
