"""Generates notebooks-data/example.csv, the bundled calibration example (seeded).

A simulated web survey of persons aged 15+ in France: 2,400 persons drawn by simple random
sampling (design weight N/n), of whom about 2,000 respond. Response rises with age and
diploma, so respondents over-represent older and more educated persons and calibration has
work to do. Non-respondents keep their row with weight 0 (they pass through calibration).
Run: python3 notebooks-data/make_example.py  (standard library only; output is byte-stable).
"""
import csv, random

rng = random.Random(20261123)
N = 56020408          # population aged 15+, RP2022 (Insee)
n = 2400
sex_age = {           # RP2022, population 15+ (Insee), used for the sampling frame shares
    ("M", "15-19"): 2150353, ("M", "20-24"): 1972845, ("M", "25-39"): 5971032,
    ("M", "40-54"): 6449655, ("M", "55-64"): 4156079, ("M", "65+"): 6109287,
    ("F", "15-19"): 2029028, ("F", "20-24"): 1896908, ("F", "25-39"): 6176665,
    ("F", "40-54"): 6647611, ("F", "55-64"): 4448488, ("F", "65+"): 8012457,
}
diploma = {"aucun_cep": 21.1, "bepc": 5.4, "cap_bep": 24.4, "bac": 17.4, "superieur": 31.7}
age_resp = {"15-19": 0.65, "20-24": 0.70, "25-39": 0.78, "40-54": 0.85, "55-64": 0.9, "65+": 0.93}
dip_resp = {"aucun_cep": 0.72, "bepc": 0.78, "cap_bep": 0.82, "bac": 0.88, "superieur": 0.95}

cells = list(sex_age)
cw = [sex_age[c] for c in cells]
rows = []
for i in range(1, n + 1):
    sex, age = rng.choices(cells, cw)[0]
    dip = rng.choices(list(diploma), list(diploma.values()))[0]
    responded = rng.random() < age_resp[age] * dip_resp[dip]
    p_trust = 0.42 + 0.04 * list(diploma).index(dip) + (0.05 if age in ("15-19", "20-24") else 0)
    trust = (1 if rng.random() < p_trust else 0) if responded else ""
    d = round(N / n, 4) if responded else 0
    rows.append([i, sex, age, dip, 1 if responded else 0, trust, d])

with open("notebooks-data/example.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "sex", "age_group", "diploma", "responded", "trust", "d"])
    w.writerows(rows)
