//! The schematic outlines of the map: border arcs shared by neighbouring regions, the rings
//! of the 13 mainland regions (and Corsica), the overseas insets (see the parent module's
//! docs for how they were drawn).

pub(crate) type Arc = &'static [(f64, f64)];

// Border arcs (lon, lat). Names: A_<region>_<neighbour or coast>.
const HDF_COAST: Arc = &[(1.38, 50.07), (1.55, 50.25), (1.6, 50.72), (1.85, 50.95), (2.55, 51.08)];
const HDF_BE: Arc = &[(2.55, 51.08), (3.1, 50.78), (3.7, 50.35), (4.2, 49.97)];
const HDF_GE: Arc = &[(4.2, 49.97), (4.05, 49.4), (3.5, 48.98)];
const HDF_IDF: Arc = &[(3.5, 48.98), (2.6, 49.1), (1.72, 49.25)];
const HDF_NOR: Arc = &[(1.72, 49.25), (1.78, 49.75), (1.38, 50.07)];
const NOR_COAST: Arc = &[
    (1.38, 50.07),
    (0.2, 49.7),
    (0.1, 49.45),
    (-0.2, 49.3),
    (-1.1, 49.4),
    (-1.25, 49.7),
    (-1.95, 49.72),
    (-1.6, 49.2),
    (-1.5, 48.65),
];
const NOR_BRE: Arc = &[(-1.5, 48.65), (-1.07, 48.5)];
const NOR_PDL: Arc = &[(-1.07, 48.5), (-0.5, 48.5), (0.2, 48.45), (0.8, 48.3)];
const NOR_CVL: Arc = &[(0.8, 48.3), (1.0, 48.6), (1.5, 48.75)];
const NOR_IDF: Arc = &[(1.5, 48.75), (1.6, 49.05), (1.72, 49.25)];
const IDF_GE: Arc = &[(3.5, 48.98), (3.5, 48.7), (3.45, 48.38)];
const IDF_BFC: Arc = &[(3.45, 48.38), (2.95, 48.15)];
const IDF_CVL: Arc = &[(2.95, 48.15), (2.4, 48.15), (1.9, 48.3), (1.5, 48.75)];
const GE_NORTH: Arc = &[
    (4.2, 49.97),
    (4.85, 50.15),
    (4.9, 49.8),
    (5.4, 49.62),
    (5.85, 49.5),
    (6.4, 49.47),
    (7.0, 49.15),
    (7.6, 49.05),
    (8.2, 48.97),
    (7.8, 48.6),
    (7.55, 48.0),
    (7.58, 47.58),
    (7.0, 47.45),
];
const GE_BFC: Arc = &[
    (7.0, 47.45),
    (6.85, 47.82),
    (6.0, 47.95),
    (5.25, 47.6),
    (4.6, 47.9),
    (4.0, 47.9),
    (3.45, 48.38),
];
const BFC_CH: Arc = &[(7.0, 47.45), (6.9, 47.3), (6.45, 46.9), (6.1, 46.4)];
const BFC_ARA: Arc =
    &[(6.1, 46.4), (5.7, 46.25), (5.1, 46.3), (4.3, 46.2), (3.6, 46.5), (3.05, 46.8)];
const BFC_CVL: Arc = &[(3.05, 46.8), (3.0, 47.2), (2.85, 47.6), (2.95, 48.15)];
const CVL_ARA: Arc = &[(3.05, 46.8), (2.6, 46.6), (2.28, 46.42)];
const CVL_NA: Arc = &[(2.28, 46.42), (1.5, 46.4), (1.0, 46.6), (0.7, 46.95), (0.05, 47.12)];
const CVL_PDL: Arc = &[(0.05, 47.12), (0.25, 47.5), (0.6, 47.75), (0.85, 48.05), (0.8, 48.3)];
const PDL_COAST: Arc = &[
    (-1.2, 46.3),
    (-1.8, 46.5),
    (-2.15, 46.85),
    (-2.0, 47.05),
    (-2.3, 47.25),
    (-2.55, 47.3),
    (-2.48, 47.5),
];
const BRE_PDL: Arc =
    &[(-2.48, 47.5), (-2.1, 47.55), (-1.6, 47.75), (-1.25, 47.85), (-1.05, 48.2), (-1.07, 48.5)];
const PDL_NA: Arc = &[(0.05, 47.12), (-0.5, 46.98), (-0.7, 46.85), (-0.75, 46.4), (-1.2, 46.3)];
const BRE_COAST: Arc = &[
    (-1.5, 48.65),
    (-2.0, 48.65),
    (-2.7, 48.5),
    (-3.2, 48.85),
    (-3.95, 48.72),
    (-4.6, 48.6),
    (-4.78, 48.38),
    (-4.3, 48.28),
    (-4.55, 48.12),
    (-4.72, 48.03),
    (-4.35, 47.8),
    (-3.95, 47.85),
    (-3.4, 47.7),
    (-3.1, 47.5),
    (-2.75, 47.5),
    (-2.48, 47.5),
];
const NA_ARA: Arc = &[(2.28, 46.42), (2.55, 46.15), (2.5, 45.75), (2.35, 45.4), (2.07, 44.98)];
const NA_OCC: Arc = &[
    (2.07, 44.98),
    (1.4, 44.85),
    (1.05, 44.55),
    (0.9, 44.2),
    (0.4, 44.0),
    (0.1, 43.7),
    (0.0, 43.4),
    (-0.3, 42.82),
];
const NA_ES: Arc = &[(-0.3, 42.82), (-1.0, 43.0), (-1.45, 43.05), (-1.78, 43.37)];
const NA_COAST: Arc = &[
    (-1.78, 43.37),
    (-1.5, 43.55),
    (-1.25, 44.2),
    (-1.25, 44.65),
    (-1.15, 45.5),
    (-1.2, 45.8),
    (-1.15, 46.15),
    (-1.2, 46.3),
];
const OCC_ARA: Arc =
    &[(2.07, 44.98), (2.7, 44.85), (3.3, 44.95), (3.9, 44.75), (4.0, 44.45), (4.68, 44.28)];
const OCC_PACA: Arc = &[(4.68, 44.28), (4.6, 43.75), (4.25, 43.47)];
const OCC_COAST: Arc = &[
    (4.25, 43.47),
    (3.9, 43.55),
    (3.5, 43.28),
    (3.1, 43.1),
    (3.03, 42.8),
    (3.05, 42.55),
    (3.17, 42.43),
];
const OCC_ES: Arc =
    &[(3.17, 42.43), (2.5, 42.35), (1.75, 42.5), (1.4, 42.7), (0.7, 42.85), (-0.3, 42.82)];
const ARA_CH_IT: Arc =
    &[(6.1, 46.4), (6.2, 46.2), (6.8, 46.4), (7.0, 45.95), (6.8, 45.65), (7.1, 45.4), (6.65, 45.1)];
const ARA_PACA: Arc =
    &[(6.65, 45.1), (6.3, 44.85), (5.8, 44.75), (5.5, 44.45), (5.05, 44.4), (4.68, 44.28)];
const PACA_IT: Arc = &[(6.65, 45.1), (7.0, 44.7), (7.7, 44.1), (7.52, 43.78)];
const PACA_COAST: Arc = &[
    (7.52, 43.78),
    (7.25, 43.68),
    (6.9, 43.45),
    (6.65, 43.2),
    (6.2, 43.1),
    (5.9, 43.08),
    (5.35, 43.22),
    (5.0, 43.38),
    (4.6, 43.36),
    (4.25, 43.47),
];
const CORSE: Arc = &[
    (9.35, 43.0),
    (9.47, 42.7),
    (9.55, 42.3),
    (9.4, 41.7),
    (9.2, 41.38),
    (8.85, 41.55),
    (8.65, 41.9),
    (8.6, 42.2),
    (8.75, 42.55),
    (9.2, 42.7),
    (9.3, 42.9),
    (9.35, 43.0),
];

/// A ring: arcs in order, `true` = walked backwards.
pub(crate) type Ring = &'static [(Arc, bool)];

/// Mainland regions and Corsica: (code, full name, short name, ring, label point).
/// (code, full name, short name, ring, label point).
pub(crate) type Region = (&'static str, &'static str, &'static str, Ring, (f64, f64));

pub(crate) const MAINLAND: [Region; 13] = [
    (
        "11",
        "Île-de-France",
        "Île-de-Fr.",
        &[(HDF_IDF, true), (IDF_GE, false), (IDF_BFC, false), (IDF_CVL, false), (NOR_IDF, false)],
        (2.55, 48.72),
    ),
    (
        "24",
        "Centre-Val de Loire",
        "Centre-VdL",
        &[
            (IDF_CVL, true),
            (BFC_CVL, true),
            (CVL_ARA, false),
            (CVL_NA, false),
            (CVL_PDL, false),
            (NOR_CVL, false),
        ],
        (1.6, 47.45),
    ),
    (
        "27",
        "Bourgogne-Franche-Comté",
        "Bourgogne-FC",
        &[(GE_BFC, true), (BFC_CH, false), (BFC_ARA, false), (BFC_CVL, false), (IDF_BFC, true)],
        (4.75, 47.2),
    ),
    (
        "28",
        "Normandie",
        "Normandie",
        &[
            (NOR_COAST, false),
            (NOR_BRE, false),
            (NOR_PDL, false),
            (NOR_CVL, false),
            (NOR_IDF, false),
            (HDF_NOR, false),
        ],
        (0.0, 49.0),
    ),
    (
        "32",
        "Hauts-de-France",
        "Hauts-de-Fr.",
        &[(HDF_COAST, false), (HDF_BE, false), (HDF_GE, false), (HDF_IDF, false), (HDF_NOR, false)],
        (2.75, 50.05),
    ),
    (
        "44",
        "Grand Est",
        "Grand Est",
        &[(GE_NORTH, false), (GE_BFC, false), (IDF_GE, true), (HDF_GE, true)],
        (5.7, 48.75),
    ),
    (
        "52",
        "Pays de la Loire",
        "Pays de la Loire",
        &[(PDL_COAST, false), (BRE_PDL, false), (NOR_PDL, false), (CVL_PDL, true), (PDL_NA, false)],
        (-0.75, 47.55),
    ),
    (
        "53",
        "Bretagne",
        "Bretagne",
        &[(BRE_COAST, false), (BRE_PDL, false), (NOR_BRE, true)],
        (-3.0, 48.2),
    ),
    (
        "75",
        "Nouvelle-Aquitaine",
        "Nouvelle-Aq.",
        &[
            (PDL_NA, true),
            (CVL_NA, true),
            (NA_ARA, false),
            (NA_OCC, false),
            (NA_ES, false),
            (NA_COAST, false),
        ],
        (0.6, 45.3),
    ),
    (
        "76",
        "Occitanie",
        "Occitanie",
        &[(NA_OCC, true), (OCC_ARA, false), (OCC_PACA, false), (OCC_COAST, false), (OCC_ES, false)],
        (2.2, 43.75),
    ),
    (
        "84",
        "Auvergne-Rhône-Alpes",
        "Auvergne-RA",
        &[
            (CVL_ARA, true),
            (BFC_ARA, true),
            (ARA_CH_IT, false),
            (ARA_PACA, false),
            (OCC_ARA, true),
            (NA_ARA, true),
        ],
        (4.3, 45.45),
    ),
    (
        "93",
        "Provence-Alpes-Côte d'Azur",
        "PACA",
        &[(ARA_PACA, true), (PACA_IT, false), (PACA_COAST, false), (OCC_PACA, true)],
        (6.2, 43.85),
    ),
    ("94", "Corse", "Corse", &[(CORSE, false)], (9.05, 42.15)),
];

/// Overseas departments drawn as insets: (code, name, outline in the unit square).
/// (code, name, outline parts in the unit square).
pub(crate) type Island = (&'static str, &'static str, &'static [&'static [(f64, f64)]]);

pub(crate) const OVERSEAS: [Island; 5] = [
    (
        "971",
        "Guadeloupe",
        &[
            &[(0.1, 0.4), (0.3, 0.32), (0.44, 0.5), (0.42, 0.85), (0.25, 0.97), (0.1, 0.72)],
            &[(0.46, 0.42), (0.6, 0.18), (0.85, 0.06), (0.96, 0.26), (0.76, 0.46), (0.56, 0.5)],
        ],
    ),
    (
        "972",
        "Martinique",
        &[&[
            (0.3, 0.05),
            (0.55, 0.15),
            (0.75, 0.35),
            (0.8, 0.6),
            (0.9, 0.85),
            (0.7, 0.95),
            (0.45, 0.8),
            (0.2, 0.75),
            (0.25, 0.5),
            (0.15, 0.3),
        ]],
    ),
    (
        "973",
        "Guyane",
        &[&[
            (0.1, 0.1),
            (0.45, 0.0),
            (0.9, 0.25),
            (0.75, 0.65),
            (0.55, 0.98),
            (0.3, 0.9),
            (0.2, 0.6),
            (0.05, 0.35),
        ]],
    ),
    (
        "974",
        "La Réunion",
        &[&[
            (0.25, 0.15),
            (0.6, 0.05),
            (0.85, 0.25),
            (0.95, 0.55),
            (0.8, 0.85),
            (0.45, 0.95),
            (0.15, 0.75),
            (0.08, 0.4),
        ]],
    ),
    (
        "976",
        "Mayotte",
        &[&[
            (0.45, 0.05),
            (0.65, 0.2),
            (0.6, 0.45),
            (0.7, 0.7),
            (0.5, 0.95),
            (0.35, 0.7),
            (0.4, 0.4),
            (0.3, 0.2),
        ]],
    ),
];

/// The points of a ring, walking each arc in its direction (shared end points once).
pub(crate) fn ring_points(ring: Ring) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for (arc, back) in ring {
        let it: Box<dyn Iterator<Item = &(f64, f64)>> =
            if *back { Box::new(arc.iter().rev()) } else { Box::new(arc.iter()) };
        for p in it {
            if pts.last() != Some(p) {
                pts.push(*p);
            }
        }
    }
    pts
}
