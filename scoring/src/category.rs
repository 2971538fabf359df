//! Body categories (DESIGN.md §3): ranks are computed overall and within each.

use serde::{Deserialize, Serialize};

/// The category of a certification body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 管理体系认证机构.
    ManagementSystem,
    /// 产品认证机构.
    Product,
    /// 服务认证机构.
    Service,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 3] = [
        Category::ManagementSystem,
        Category::Product,
        Category::Service,
    ];

    /// The code used in data, e.g. `management_system`.
    pub fn code(self) -> &'static str {
        match self {
            Category::ManagementSystem => "management_system",
            Category::Product => "product",
            Category::Service => "service",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Category::ManagementSystem => "管理体系认证",
            Category::Product => "产品认证",
            Category::Service => "服务认证",
        }
    }

    /// The category with this code.
    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A small integer for the engine's frames.
    pub(crate) fn index(self) -> u8 {
        match self {
            Category::ManagementSystem => 0,
            Category::Product => 1,
            Category::Service => 2,
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
