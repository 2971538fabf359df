//! Names of generated bodies as a registry would hold them: place, brand, business word and kind,
//! each name once — a taken name gets another brand, never a number.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::PROVINCES;

/// Brand words (字号) of real-sounding bodies; drawn from the population's main stream.
pub(super) const TRADE_NAMES: [&str; 48] = [
    "华信",
    "中联",
    "国信",
    "正信",
    "天安",
    "恒标",
    "诚誉",
    "安标",
    "中测",
    "方圆",
    "鉴衡",
    "泰尔",
    "华夏",
    "中质",
    "广信",
    "东方",
    "长城",
    "新世纪",
    "远航",
    "金鼎",
    "卓越",
    "博远",
    "环宇",
    "中安",
    "兴原",
    "联合",
    "汇智",
    "明德",
    "正和",
    "同创",
    "海创",
    "嘉信",
    "中汇",
    "恒信",
    "世标",
    "大陆",
    "信达",
    "中鉴",
    "华测",
    "通标",
    "凯瑞",
    "求是",
    "至诚",
    "中启",
    "赛宝",
    "英格",
    "航协",
    "北方",
];

/// The kind of body a name ends with; drawn from the population's main stream (its range is
/// part of the reproducible sequence, so it stays four).
pub(super) const NAME_SUFFIXES: [&str; 4] = [
    "认证有限公司",
    "认证中心有限公司",
    "质量认证有限公司",
    "检测认证有限公司",
];

/// Cities where bodies of each province (same order as [`PROVINCES`]) are registered, the
/// capital first; a name starts with the province itself or one of these.
const CITIES: [&[&str]; 31] = [
    &[],
    &[],
    &["石家庄", "保定", "唐山", "廊坊"],
    &["太原", "大同"],
    &["呼和浩特", "包头"],
    &["沈阳", "大连"],
    &["长春"],
    &["哈尔滨", "大庆"],
    &[],
    &["南京", "苏州", "无锡", "常州"],
    &["杭州", "宁波", "温州"],
    &["合肥", "芜湖"],
    &["福州", "厦门", "泉州"],
    &["南昌", "赣州"],
    &["济南", "青岛", "烟台", "潍坊"],
    &["郑州", "洛阳"],
    &["武汉", "宜昌", "襄阳"],
    &["长沙", "株洲"],
    &["广州", "深圳", "东莞", "佛山"],
    &["南宁", "柳州"],
    &["海口", "三亚"],
    &[],
    &["成都", "绵阳"],
    &["贵阳", "遵义"],
    &["昆明"],
    &["拉萨"],
    &["西安", "宝鸡"],
    &["兰州"],
    &["西宁"],
    &["银川"],
    &["乌鲁木齐"],
];

/// What a body says it does besides certifying, between its brand and its kind; often nothing.
const BUSINESS_WORDS: [&str; 12] = [
    "", "", "", "", "国际", "标准", "技术", "科技", "联合", "环境", "安全", "信息",
];

/// First and second characters of composed brand words, used when a name is taken: a registry
/// holds each name once, so a taken one gets another brand, never a number. The two sets share
/// no character, so no brand repeats one.
const BRAND_FIRST: [char; 32] = [
    '华', '中', '国', '正', '天', '恒', '方', '泰', '长', '新', '远', '金', '卓', '博', '环', '兴',
    '明', '同', '海', '嘉', '凯', '求', '至', '赛', '英', '宏', '广', '立', '永', '合', '德', '瀚',
];
const BRAND_SECOND: [char; 32] = [
    '信', '联', '标', '誉', '测', '圆', '衡', '夏', '质', '鼎', '越', '宇', '原', '智', '和', '创',
    '瑞', '诚', '宝', '格', '达', '源', '安', '通', '辰', '锐', '仁', '盛', '元', '谱', '程', '晟',
];

/// The `index`-th composed brand: two characters first, then three, and so on, so that there is
/// always one more.
fn composed_brand(mut index: usize) -> String {
    let first = BRAND_FIRST.len();
    let second = BRAND_SECOND.len();
    let mut tail = 1;
    let mut block = first * second;
    while index >= block {
        index -= block;
        tail += 1;
        block *= second;
    }
    let mut brand = String::new();
    brand.push(BRAND_FIRST[index % first]);
    index /= first;
    for _ in 0..tail {
        brand.push(BRAND_SECOND[index % second]);
        index /= second;
    }
    brand
}

/// A registry-like name, unique among `taken`: place + brand + business word + kind, e.g.
/// 苏州远航技术检测认证有限公司. `trade` and `kind` come from the population's main stream; the
/// rest from `rng`, a stream of its own, so that names never shift the rest of the data. A name
/// already taken keeps its place, business word and kind and gets another brand.
pub(super) fn body_name(
    province: usize,
    trade: usize,
    kind: usize,
    rng: &mut ChaCha8Rng,
    taken: &mut std::collections::HashSet<String>,
) -> String {
    let cities = CITIES[province];
    let place = if cities.is_empty() || rng.random::<f64>() < 0.25 {
        PROVINCES[province]
    } else {
        cities[rng.random_range(0..cities.len())]
    };
    let business = BUSINESS_WORDS[rng.random_range(0..BUSINESS_WORDS.len())];
    // Never 联合联合: a brand that is a business word stands alone.
    let business = if business == TRADE_NAMES[trade] {
        ""
    } else {
        business
    };
    // Some centres are not companies (e.g. 上海质量体系审核中心).
    let ending = if kind == 1 && rng.random::<f64>() < 0.3 {
        "认证中心"
    } else {
        NAME_SUFFIXES[kind]
    };
    let compose = |brand: &str| format!("{place}{brand}{business}{ending}");
    let first = compose(TRADE_NAMES[trade]);
    if taken.insert(first.clone()) {
        return first;
    }
    for _ in 0..32 {
        let name = compose(&composed_brand(
            rng.random_range(0..BRAND_FIRST.len() * BRAND_SECOND.len()),
        ));
        if taken.insert(name.clone()) {
            return name;
        }
    }
    // Crowded: the first free composed brand, in order (there always is one).
    let mut index = 0;
    loop {
        let name = compose(&composed_brand(index));
        if taken.insert(name.clone()) {
            return name;
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::Population;

    /// A name ending in a number in brackets, e.g. （3） or (3), which no registry holds.
    fn numbered(name: &str) -> bool {
        let trimmed = name.trim_end_matches(['）', ')']);
        trimmed.len() < name.len()
            && trimmed
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .ends_with(['（', '('])
    }

    #[test]
    fn names_are_unique_and_never_numbered() {
        assert!(numbered("北京远航检测认证有限公司（3）"));
        for n in [1_250, 60_000] {
            let population = Population::generate(n, 2026);
            let mut seen = std::collections::HashSet::new();
            for b in &population.bodies {
                assert!(!numbered(&b.name), "{}", b.name);
                assert!(!b.name.chars().any(|c| c.is_ascii_digit()), "{}", b.name);
                assert!(
                    b.name.ends_with("有限公司") || b.name.ends_with("中心"),
                    "{}",
                    b.name
                );
                assert!(seen.insert(b.name.clone()), "{} twice", b.name);
                for word in BUSINESS_WORDS.iter().filter(|w| !w.is_empty()) {
                    assert!(!b.name.contains(&word.repeat(2)), "{}", b.name);
                }
            }
        }
    }

    #[test]
    fn a_name_starts_with_a_place_of_its_province() {
        for b in &Population::generate(500, 7).bodies {
            let p = PROVINCES.iter().position(|p| *p == b.province).unwrap_or(0);
            assert!(
                b.name.starts_with(b.province) || CITIES[p].iter().any(|c| b.name.starts_with(c)),
                "{} in {}",
                b.name,
                b.province
            );
        }
    }

    #[test]
    fn composed_brands_never_repeat() {
        let all: std::collections::HashSet<String> = (0..5_000).map(composed_brand).collect();
        assert_eq!(all.len(), 5_000);
        assert_eq!(composed_brand(0).chars().count(), 2);
        assert_eq!(
            composed_brand(BRAND_FIRST.len() * BRAND_SECOND.len())
                .chars()
                .count(),
            3
        );
    }
}
