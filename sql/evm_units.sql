-- evm_units: to_units / from_units.  Reference values: ethers' formatUnits
-- and parseUnits on the same inputs (ether = 18 decimals, USDC = 6).
SET search_path = amplified, public;

-- to_units: exact, trailing fractional zeros dropped
SELECT to_units('1000000000000000000'::uint256, 18) AS one_ether, to_units('1500000000000000000'::uint256, 18) AS one_and_a_half;
SELECT to_units('1'::uint256, 18) AS one_wei, to_units('0'::uint256, 18) AS zero, to_units('1234567'::uint256, 6) AS usdc;
SELECT to_units('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 18) AS max_in_ether;
SELECT to_units('115792089237316195423570985008687907853269984665640564039457584007913129639935'::uint256, 78) AS max_scaled_78;
SELECT to_units('12345'::uint256, 0), to_units('12345'::uint256, 2), to_units('12345'::uint256, 80);
SELECT to_units('-1500000000000000000'::int256, 18), to_units('-1'::int256, 6), to_units('-57896044618658097711785492504343953926634992332820282019728792003956564819968'::int256, 18);
SELECT to_units('1'::uint256, -1);
SELECT to_units('1'::uint256, 256);

-- from_units: exact by default
SELECT from_units(1.5, 18) AS wei, from_units(1, 18) AS one_ether, from_units(0.000001, 6) AS one_micro_usdc, from_units(1234.567, 6) AS usdc;
SELECT from_units(115792089237316195423570985008687907853269984665640564039457.584007913129639935, 18) AS max;
SELECT from_units(115792089237316195423570985008687907853269984665640564039457.584007913129639936, 18);
SELECT from_units(-1, 18);
SELECT from_units(0.0000001, 6);
SELECT from_units(1.5, 0);
SELECT from_units('NaN', 18);
SELECT from_units(1, 256);
SELECT from_units(1.5, 0, 'nearest');
SELECT int256_from_units(-1.5, 18), int256_from_units(-0.000001, 6), int256_from_units(0, 18);
SELECT int256_from_units(-57896044618658097711785492504343953926634992332820282019728792003956564819.968, 3) AS min;
SELECT int256_from_units(-57896044618658097711785492504343953926634992332820282019728792003956564819.969, 3);
SELECT int256_from_units(-0.5, 0);

-- rounding modes on x.5, x.25 and x.75, both signs
SELECT v, from_units(v, 0, 'trunc') AS trunc, from_units(v, 0, 'floor') AS floor, from_units(v, 0, 'ceil') AS ceil,
	   from_units(v, 0, 'half_up') AS half_up, from_units(v, 0, 'half_even') AS half_even
  FROM unnest(ARRAY[0.25, 0.5, 0.75, 1.5, 2.5, 2.50000000000000000001, 2.49999999999999999999, 3]) v;
SELECT v, int256_from_units(v, 0, 'trunc') AS trunc, int256_from_units(v, 0, 'floor') AS floor, int256_from_units(v, 0, 'ceil') AS ceil,
	   int256_from_units(v, 0, 'half_up') AS half_up, int256_from_units(v, 0, 'half_even') AS half_even
  FROM unnest(ARRAY[-0.25, -0.5, -0.75, -1.5, -2.5, -2.50000000000000000001, -3]) v;
SELECT from_units(-0.4, 0, 'ceil') AS zero, from_units(-0.4, 0, 'trunc') AS zero;
SELECT from_units(-0.4, 0, 'floor');
SELECT from_units(1.0000005, 6, 'half_even') AS even_down, from_units(1.0000015, 6, 'half_even') AS even_up, from_units(1.0000005, 6, 'ceil') AS ceil;

-- round trips
SELECT from_units(to_units(x, 18), 18) = x FROM (VALUES ('0'::uint256), ('1'), ('123456789012345678901234567890'), ('115792089237316195423570985008687907853269984665640564039457584007913129639935')) v(x);
SELECT to_units(from_units(x, 6), 6) = x FROM (VALUES (0.000001), (1), (1234567.890123)) v(x);
