/**
 * Realistic Nordic households for the categorizer's accuracy benchmark: what they pay, where and
 * how often, and the category each household itself gives every payee (the truth the benchmark
 * scores against). Deterministic for a seed.
 *
 * Each household has its own stores of the big chains (a location on the statement line), local
 * payees no table knows (the hairdresser, the bakery, the landlord, the daycare), an employer, and
 * a few one-off payees a month it has never paid before. About one household in eight files a
 * chain its own way (Clas Ohlson under electronics, Systembolaget under leisure, ...), which only
 * its own history can learn; some chains are not in the merchant table at all; Swish payments to
 * the same friends are for different things each time (no stage can be sure of them).
 *
 * The chains are those the merchant table was written from, so the merchant stage's figures are
 * an upper bound for households shopping elsewhere; history and rules are not flattered by it.
 */

export interface DraftTransaction {
  month: number;
  day: number;
  kind: 'expense' | 'income';
  counterparty: string;
  amountMinor: number;
  /** The category key the household gives it. */
  truth: string;
}

/** A pseudo-random generator (mulberry32), so every run draws the same households. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const places = [
  'Solna',
  'Hötorget',
  'Majorna',
  'Lund C',
  'Frölunda',
  'Täby',
  'Grünerløkka',
  'Aarhus C',
  'Kamppi',
  'Sickla',
];

/** Chains: the statement line (`{place}` is the household's store), how often a month, amount range, category. */
const chains: [string, number, number, number, string, string?][] = [
  ['ICA Nära {place}', 6, 4_000, 60_000, 'groceries'],
  ['ICA Kvantum {place}', 3, 20_000, 180_000, 'groceries'],
  ['WILLYS {place}', 3, 15_000, 140_000, 'groceries'],
  ['Coop Konsum {place}', 2, 5_000, 50_000, 'groceries'],
  ['LIDL {place}', 2, 8_000, 90_000, 'groceries'],
  ['Hemköp {place}', 1, 5_000, 40_000, 'groceries'],
  ['REMA 1000 {place}', 1, 5_000, 60_000, 'groceries'],
  ['Systembolaget {place}', 1, 15_000, 80_000, 'food', 'leisure'],
  ['Espresso House {place}', 3, 4_500, 15_000, 'restaurants'],
  ['MAX Hamburgare {place}', 1, 9_000, 35_000, 'restaurants'],
  ['Wolt', 1, 15_000, 45_000, 'restaurants'],
  ['7-Eleven {place}', 1, 2_500, 9_000, 'restaurants', 'groceries'],
  ['Circle K {place}', 2, 30_000, 90_000, 'fuel_charging'],
  ['Preem {place}', 1, 30_000, 90_000, 'fuel_charging'],
  ['SL', 2, 4_200, 97_000, 'public_transport'],
  ['EasyPark', 2, 1_500, 12_000, 'parking'],
  ['Apotek Hjärtat {place}', 1, 6_000, 40_000, 'pharmacy', 'health'],
  ['H&M {place}', 1, 15_000, 80_000, 'clothing'],
  ['Clas Ohlson {place}', 0.5, 8_000, 60_000, 'home_furnishing', 'electronics'],
  ['IKEA {place}', 0.3, 20_000, 400_000, 'home_furnishing'],
  ['Elgiganten {place}', 0.2, 30_000, 600_000, 'electronics'],
  ['Stadium {place}', 0.3, 20_000, 150_000, 'sports', 'clothing'],
  ['Biltema {place}', 0.3, 10_000, 90_000, 'vehicle_costs', 'home_maintenance'],
  // Chains the merchant table does not know: only history learns them.
  ['Mathörnan {place}', 1, 5_000, 40_000, 'groceries'],
  ['Akademibokhandeln {place}', 0.3, 10_000, 60_000, 'leisure', 'children'],
  ['KICKS {place}', 0.5, 10_000, 50_000, 'shopping', 'health'],
  ['Naturkompaniet {place}', 0.2, 30_000, 200_000, 'sports', 'clothing'],
  ['Lagerhaus {place}', 0.3, 5_000, 40_000, 'home_furnishing'],
  ['Thai Garden {place}', 1, 9_000, 30_000, 'restaurants'],
];

/** Swish payments to people: the same friends, for different things (a dinner, a concert, a loan). */
const friends = ['Erik S', 'Maja L', 'Johan K', 'Sara N'];
const swishFor = ['restaurants', 'leisure', 'other_expense'];

/** Monthly bills: the line, day of the month, amount, category. */
const bills: [string, number, number, string][] = [
  ['Netflix.com', 5, 14_900, 'streaming'],
  ['Spotify P2F1A3B', 12, 11_900, 'streaming'],
  ['Telia Sverige', 27, 39_900, 'internet_phone'],
  ['Vattenfall AB', 28, 85_000, 'utilities'],
  ['Folksam', 26, 42_000, 'insurance'],
  ['Friskis&Svettis', 1, 45_000, 'sports'],
];

/** Local payees no table knows, by the category households give them. */
const locals: [string, string][] = [
  ['Frisörsalong {name}', 'other_expense'],
  ['Bageriet {name}', 'restaurants'],
  ['Tandläkare {name}', 'healthcare'],
  ['Bilverkstad {name}', 'vehicle_costs'],
  ['Förskolan {name}', 'childcare'],
  ['Brf {name}', 'rent_mortgage'],
  ['Blomsterhandel {name}', 'home_furnishing'],
  ['Pizzeria {name}', 'restaurants'],
  ['Gym {name}', 'sports'],
];

const names = ['Solrosen', 'Eken', 'Lindgren', 'Berg', 'Nilsson', 'Vasa', 'Björken', 'Anna', 'Sjöberg', 'Hallon'];

/** One-off payees (a market stall, a craftsman, a web shop), each seen once. */
const oneOffs: [string, string][] = [
  ['Loppis {name} {n}', 'other_expense'],
  ['Hantverkare {name} {n} AB', 'home_maintenance'],
  ['Webbshop {name} {n}', 'shopping'],
  ['Kafé {name} {n}', 'restaurants'],
];

export function household(seed: number, months: number): DraftTransaction[] {
  const draw = random(seed);
  const between = (min: number, max: number) => Math.round(min + (max - min) * draw() ** 2);
  const pick = <T>(items: readonly T[]) => items[Math.floor(draw() * items.length)];
  const place = pick(places);
  const own = new Map<string, string>();
  for (const [line, , , , category, alternative] of chains) {
    own.set(line, alternative && draw() < 0.125 ? alternative : category);
  }
  const myLocals = locals
    .filter(() => draw() < 0.6)
    .map(([line, category]) => [line.replace('{name}', pick(names)), category]);
  const employer = `${pick(['Volvo Cars', 'Ericsson', 'Region Skåne', 'Skanska', 'Kommunen'])} Lön`;
  const drafts: DraftTransaction[] = [];
  for (let month = 1; month <= months; month++) {
    const day = () => 1 + Math.floor(draw() * 28);
    drafts.push({
      month,
      day: 25,
      kind: 'income',
      counterparty: employer,
      amountMinor: between(3_200_000, 4_100_000),
      truth: 'salary',
    });
    drafts.push({
      month,
      day: 20,
      kind: 'income',
      counterparty: 'Försäkringskassan',
      amountMinor: 125_000,
      truth: 'benefits',
    });
    for (const [line, billDay, amount, category] of bills) {
      drafts.push({ month, day: billDay, kind: 'expense', counterparty: line, amountMinor: amount, truth: category });
    }
    for (const [line, perMonth, min, max] of chains) {
      const times = Math.floor(perMonth) + (draw() < perMonth % 1 ? 1 : 0);
      for (let i = 0; i < times; i++) {
        const counterparty = line.replace('{place}', place);
        drafts.push({
          month,
          day: day(),
          kind: 'expense',
          counterparty,
          amountMinor: between(min, max),
          truth: own.get(line) as string,
        });
      }
    }
    for (const [line, category] of myLocals) {
      if (draw() < 0.7)
        drafts.push({
          month,
          day: day(),
          kind: 'expense',
          counterparty: line,
          amountMinor: between(10_000, 120_000),
          truth: category,
        });
    }
    for (let i = 0; i < 3; i++) {
      if (draw() < 0.5) continue;
      const counterparty = `Swish ${pick(friends)}`;
      drafts.push({
        month,
        day: day(),
        kind: 'expense',
        counterparty,
        amountMinor: between(5_000, 60_000),
        truth: pick(swishFor),
      });
    }
    for (let i = 0; i < 2; i++) {
      const [line, category] = pick(oneOffs);
      const counterparty = line.replace('{name}', pick(names)).replace('{n}', String(Math.floor(draw() * 10_000)));
      drafts.push({
        month,
        day: day(),
        kind: 'expense',
        counterparty,
        amountMinor: between(5_000, 300_000),
        truth: category,
      });
    }
  }
  return drafts.sort((a, b) => a.month - b.month || a.day - b.day);
}
