//! Published French population figures used by the synthetic frame, copied from
//! `margins-france.csv` (the project's collection of Insee tables; each constant names its
//! table and year) — tests and CI must not read that file. Where no published figure was
//! available the constant says **ASSUMPTION** and how it was chosen.

/// Regions of the frame: (code, name, population). Metropolitan regions and the four
/// overseas departments-regions: municipal population, legal population 2021 (ref. 1 Jan
/// 2021), Insee, table `region_pop_all_ages_pl2021` (all ages). Overseas regions are coded by
/// their department (971–974) as in the survey designs.
///
/// Mayotte (976): **ASSUMPTION** 300,000 — the legal-population table excludes Mayotte; this
/// is the order of magnitude of Insee's estimates for 2021–2024. It is in the frame so that
/// the scope filter of a design has something to drop.
pub const REGIONS: [(&str, &str, u64); 18] = [
    ("11", "Ile-de-France", 12_317_279),
    ("24", "Centre-Val de Loire", 2_573_303),
    ("27", "Bourgogne-Franche-Comte", 2_800_194),
    ("28", "Normandie", 3_327_966),
    ("32", "Hauts-de-France", 5_995_292),
    ("44", "Grand Est", 5_561_287),
    ("52", "Pays de la Loire", 3_853_999),
    ("53", "Bretagne", 3_394_567),
    ("75", "Nouvelle-Aquitaine", 6_069_352),
    ("76", "Occitanie", 6_022_176),
    ("84", "Auvergne-Rhone-Alpes", 8_114_361),
    ("93", "Provence-Alpes-Cote d'Azur", 5_127_840),
    ("94", "Corse", 347_597),
    ("971", "Guadeloupe", 384_315),
    ("972", "Martinique", 360_749),
    ("973", "Guyane", 286_618),
    ("974", "La Reunion", 871_157),
    ("976", "Mayotte", 300_000),
];

/// Departments of each region (same order as [`REGIONS`]), official codes (COG).
/// **ASSUMPTION**: the margins file has no department populations, so a region's population
/// is split equally between its departments. Use departments for sort orders and examples,
/// not as calibration margins.
pub const DEPARTMENTS: [&[&str]; 18] = [
    &["75", "77", "78", "91", "92", "93", "94", "95"],
    &["18", "28", "36", "37", "41", "45"],
    &["21", "25", "39", "58", "70", "71", "89", "90"],
    &["14", "27", "50", "61", "76"],
    &["02", "59", "60", "62", "80"],
    &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
    &["44", "49", "53", "72", "85"],
    &["22", "29", "35", "56"],
    &["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"],
    &["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"],
    &["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    &["04", "05", "06", "13", "83", "84"],
    &["2A", "2B"],
    &["971"],
    &["972"],
    &["973"],
    &["974"],
    &["976"],
];

/// Men by 5-year age group 0-4, 5-9, …, 95-99, 100+: census RP2018, France entière, table
/// POP1B (`sex_x_age5_rp2018`; used for the age structure only, rescaled to the frame size).
pub const MEN_AGE5_RP2018: [u64; 21] = [
    1_912_032, 2_103_205, 2_118_169, 2_121_599, 1_891_915, 1_894_988, 1_977_553, 2_047_307,
    2_078_773, 2_230_818, 2_193_469, 2_090_242, 1_947_372, 1_861_206, 1_406_107, 962_304, 758_101,
    464_287, 180_987, 36_409, 3_736,
];

/// Women by 5-year age group, same table as [`MEN_AGE5_RP2018`].
pub const WOMEN_AGE5_RP2018: [u64; 21] = [
    1_834_890, 2_012_989, 2_023_976, 2_007_360, 1_841_407, 1_939_465, 2_080_811, 2_132_161,
    2_131_118, 2_280_135, 2_277_705, 2_218_884, 2_136_018, 2_079_172, 1_625_770, 1_216_917,
    1_125_544, 871_288, 463_804, 135_150, 17_392,
];

/// Socio-professional group (PCS 2020, 8 groups, current or former occupation) by age group
/// 15-19, 20-24, 25-39, 40-54, 55-64, 65+: census RP2022 complementary exploitation, France
/// entière, table POP6 V2 (`pcs8_x_age_15plus_rp2022`). Columns: groups 1 (farmers) … 8
/// (other people without occupation).
pub const PCS8_BY_AGE_RP2022: [[u64; 8]; 6] = [
    [881, 7_481, 5_488, 79_931, 273_912, 295_304, 0, 3_532_421],
    [7_926, 48_378, 219_290, 654_370, 929_267, 656_692, 0, 1_348_151],
    [87_106, 568_010, 2_183_517, 2_995_117, 2_812_173, 2_145_929, 4_700, 1_323_614],
    [150_576, 877_447, 2_392_446, 3_036_331, 3_007_846, 2_320_680, 39_578, 1_244_153],
    [118_336, 442_277, 1_029_018, 1_195_966, 1_437_046, 1_022_584, 2_329_001, 1_025_764],
    [24_273, 87_689, 138_063, 83_940, 115_681, 77_232, 13_201_773, 440_219],
];

/// Lower bounds of the age groups of [`PCS8_BY_AGE_RP2022`].
pub const PCS8_AGE_LOWER: [u8; 6] = [15, 20, 25, 40, 55, 65];

/// Highest diploma, percent, by sex (men, women) and age group 25-34, 35-44, 45-54, 55-64:
/// Enquête Emploi 2023, France hors Mayotte, people in ordinary housing
/// (`diploma_share_pct_25_64_eec2023`). Columns: no diploma or brevet (with the 0.1–0.4 %
/// "not determined" added), CAP-BEP, baccalauréat, bac+2, above bac+2.
pub const DIPLOMA_PCT_EEC2023: [[[f64; 5]; 4]; 2] = [
    [
        [12.3, 16.3, 23.7, 12.0, 35.7],
        [14.2, 21.6, 21.3, 14.1, 28.9],
        [17.2, 25.8, 17.7, 14.8, 24.5],
        [23.4, 37.6, 12.1, 10.3, 16.7],
    ],
    [
        [9.9, 12.9, 21.6, 12.2, 43.5],
        [12.3, 15.0, 19.7, 18.2, 34.8],
        [15.8, 20.0, 18.8, 18.0, 27.2],
        [25.6, 28.6, 15.9, 13.9, 16.0],
    ],
];

/// Population living in ordinary households by household type: census RP2022 complementary
/// exploitation, France entière, table FAM T1 (`household_type_population_rp2022`):
/// one person, couple without child, couple with child(ren), single parent, other
/// households without family.
pub const HOUSEHOLD_POP_RP2022: [u64; 5] =
    [11_916_102, 16_195_818, 28_788_692, 8_267_064, 1_162_826];

/// Number of households of the same types (`household_type_rp2022`); persons / households
/// gives the mean size of each type (1, 2.04, 3.89, 2.64, 2.22).
pub const HOUSEHOLDS_RP2022: [u64; 5] = [11_916_102, 7_934_054, 7_402_264, 3_132_068, 522_801];

/// Total population living in ordinary households (`household_type_population_rp2022`, all).
pub const HOUSEHOLD_POP_TOTAL_RP2022: u64 = 66_330_502;
