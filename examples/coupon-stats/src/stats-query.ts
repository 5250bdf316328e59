// The coupon statistics query: redemptions per coupon code, most used first.
// generate_series stands in for the redemptions table so the example needs no schema.
export const STATS_SQL = `
  WITH redemptions AS (
    SELECT 'COUPON-' || (g % 20) AS code, (g % 7) * 1000 AS discount
    FROM generate_series(1, 5000) AS g
  )
  SELECT code, count(*)::int AS uses, sum(discount)::int AS total_discount
  FROM redemptions
  GROUP BY code
  ORDER BY uses DESC, code`;

export interface CouponStat {
  code: string;
  uses: number;
  total_discount: number;
}
