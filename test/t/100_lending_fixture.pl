# 100_lending_fixture: the lending part of the local chain fixture
# (test/chain/lending.js): Morpho Blue's markets as recorded (ids are the
# keccak of the params), supply/borrow/accrual with the fee exact to Morpho's
# formulas, a liquidation after the oracle drops, the Aave v3 market and its
# e-mode, and AmpLeverageAccount levering and fully unwinding on both, only
# for its owner. The chain interactions are test/chain/lending_scenario.js's
# subcommands; block timestamps are pinned where interest accrues.
use strict;
use warnings;

use JSON::PP;
use Math::BigInt;
use Test::More;
use AmpChain;

my $chain = AmpChain->new;
my $d = $chain->deploy;

sub scenario
{
	my ($cmd) = @_;
	my $out = $chain->_node('lending_scenario.js', '--rpc', $chain->url,
		'--deployment', $chain->deployment_file, $cmd);
	return JSON::PP->new->decode($out);
}
sub B { Math::BigInt->new($_[0]) }

my $M = $d->{morpho};
my $A = $d->{aave};
my %T = %{ $d->{tokens} };

# ---- the record ----
is_deeply([ sort keys %{ $M->{markets} } ], [ 'weETH/WETH', 'wstETH/WETH' ], 'two Morpho markets recorded');
is_deeply([ sort keys %{ $A->{reserves} } ], [ sort qw(WETH wstETH weETH) ], 'three Aave reserves recorded');
like($M->{markets}{$_}{id}, qr/^0x[0-9a-f]{64}$/, "$_: market id is bytes32 hex") for sort keys %{ $M->{markets} };
ok(defined $d->{leverageAccounts}{7}, 'a leverage account for account 7');
is(lc $d->{leverageAccounts}{7}{owner}, lc $d->{accounts}[7], 'owned by account 7');
for my $name (grep { /^(morpho|aave|leverageAccount):/ } sort keys %{ $d->{contracts} })
{
	my $code = $chain->rpc('eth_getCode', [ $d->{contracts}{$name}{address}, 'latest' ]);
	cmp_ok(length($code), '>', 2, "$name has code");
}

# ---- what is deployed, read back ----
my $c = scenario('check');
is(lc $c->{morpho}{owner}, lc $d->{deployer}, 'Morpho owner is the deployer');
is(lc $c->{morpho}{feeRecipient}, lc $d->{deployer}, 'fee recipient set');
ok($c->{morpho}{irmEnabled}, 'the AdaptiveCurveIrm is enabled');
is(lc $c->{morpho}{irmMorpho}, lc $M->{address}, "the IRM's MORPHO is Morpho");
ok($c->{morpho}{lltvEnabled}{$_}, "LLTV $_ enabled") for qw(945000000000000000 860000000000000000);
my %want = ('wstETH/WETH' => [ 'wstETH', '945000000000000000', '100000000000000000' ],
	'weETH/WETH' => [ 'weETH', '860000000000000000', '0' ]);
for my $k (sort keys %want)
{
	my ($coll, $lltv, $fee) = @{ $want{$k} };
	my $m = $M->{markets}{$k};
	my $got = $c->{morpho}{markets}{$k};
	is($got->{idFromParams}, $m->{id}, "$k: id is keccak256(abi.encode(params))");
	is($got->{idFromAccount}, $m->{id}, "$k: the account's marketId() agrees");
	is_deeply([ map { lc } @{ $got->{onChain} }{qw(loanToken collateralToken oracle irm)} ],
		[ map { lc } $T{WETH}{address}, $T{$coll}{address}, $m->{oracle}{address}, $M->{irm} ],
		"$k: idToMarketParams answers WETH, $coll, its oracle, the IRM");
	is($got->{onChain}{lltv}, $lltv, "$k: LLTV $lltv");
	is($got->{market}{fee}, $fee, "$k: fee $fee");
	is($got->{price}, B($T{$coll}{rate})->bmul('1000000000000000000')->bstr, "$k: oracle price is the $coll rate at 1e36");
	is($got->{market}{tba}, $m->{seed}{borrowAssets}, "$k: seeded borrow");
	is($got->{market}{tsa}, $m->{seed}{supplyAssets}, "$k: seeded supply");
	cmp_ok($got->{utilizationBps}, '>=', 5000, "$k: utilization $got->{utilizationBps} bps >= 50 %");
	cmp_ok($got->{utilizationBps}, '<=', 8000, "$k: and <= 80 %");
	is($got->{borrowerPosition}{collateral}, $m->{seed}{collateral}, "$k: the seed borrower's collateral");
}
is_deeply([ sort map { lc } @{ $c->{aave}{reservesList} } ], [ sort map { lc $T{$_}{address} } qw(WETH wstETH weETH) ],
	'Aave lists the three reserves');
is($c->{aave}{flashLoanPremiumTotal}, 0, 'Aave flash loan premium 0');
is_deeply($c->{aave}{eMode}, { ltv => 9300, liquidationThreshold => 9500, liquidationBonus => 10100, label => 'ETH correlated' },
	'e-mode category 1 as configured');
is(lc $c->{aave}{baseCurrency}, lc $T{WETH}{address}, 'Aave oracle base currency is WETH');
for my $sym (sort keys %{ $A->{reserves} })
{
	my $r = $A->{reserves}{$sym};
	my $g = $c->{aave}{reserves}{$sym};
	is_deeply([ map { lc } @{$g}{qw(aToken variableDebtToken)} ], [ map { lc } @{$r}{qw(aToken variableDebtToken)} ],
		"$sym: aToken and variable debt token as recorded");
	is_deeply([ @{$g}{qw(ltv liquidationThreshold liquidationBonus reserveFactor)} ],
		[ @{$r}{qw(ltv liquidationThreshold liquidationBonus reserveFactor)} ], "$sym: risk parameters as recorded");
	ok($g->{usageAsCollateralEnabled} && $g->{isActive}, "$sym: active, usable as collateral");
	is(!!$g->{borrowingEnabled}, !!$r->{borrowingEnabled}, "$sym: borrowing " . ($r->{borrowingEnabled} ? 'on' : 'off'));
	is($g->{eModeCategory}, $A->{eMode}{id}, "$sym: in the e-mode category");
	is($g->{price}, $sym eq 'WETH' ? '1000000000000000000' : $T{$sym}{rate}, "$sym: Aave price in ETH");
}
is($c->{aave}{reserves}{WETH}{totalVariableDebt}, $A->{seed}{borrowAssets}, 'Aave WETH: seeded variable debt');
cmp_ok($c->{aave}{reserves}{WETH}{variableBorrowRate}, '>', 0, 'Aave WETH: a positive borrow rate');
is_deeply([ map { lc } @{ $c->{account} }{qw(owner morpho aavePool swapRouter)} ],
	[ map { lc } $d->{accounts}[7], $M->{address}, $A->{pool}, $d->{uniswap}{swapRouter} ], 'the account: owner and venues');

# ---- Morpho: supply, borrow, a day of accrual with the fee, repay ----
my $s = scenario('morpho-accrue')->{steps};
for my $k (qw(supply borrow accrue repay))
{
	is($s->{$k}{event}{interest}, $s->{$k}{interest}, "$k: accrued interest is Morpho's formula ($s->{$k}{interest} over $s->{$k}{elapsed} s)");
	is($s->{$k}{event}{feeShares}, $s->{$k}{feeShares}, "$k: fee shares are Morpho's formula");
}
cmp_ok($s->{supply}{interest}, '>', 0, 'interest accrues on the seeded borrow');
is($s->{supply}{eventShares}, $s->{supply}{expectShares}, 'supply: shares = toSharesDown(assets) after accrual');
is($s->{supply}{position}{supplyShares}, $s->{supply}{expectShares}, "supply: the lender's position holds them");
is_deeply($s->{supply}{market}, $s->{supply}{expectMarket}, 'supply: market totals as computed');
is($s->{borrow}{eventShares}, $s->{borrow}{expectShares}, 'borrow: shares = toSharesUp(assets) after accrual');
is($s->{borrow}{position}{borrowShares}, $s->{borrow}{expectShares}, "borrow: the borrower's position");
is($s->{borrow}{received}, '20000000000000000000', 'borrow: the borrower received 20 WETH');
is($s->{accrue}{elapsed}, 86400, 'accrue: a pinned day');
is_deeply($s->{accrue}{market}, $s->{accrue}{post}, 'accrue: market totals as computed');
cmp_ok($s->{accrue}{feeShares}, '>', 0, 'accrue: fee shares minted');
is($s->{accrue}{feeRecipientSharesGained}, $s->{accrue}{feeShares}, 'accrue: the fee recipient got them');
is($s->{accrue}{irmAvgBorrowRate}, $s->{accrue}{rate}, "accrue: the IRM's BorrowRateUpdate rate is the one Morpho used");
isnt($s->{accrue}{rateAtTargetAfter}, $s->{accrue}{rateAtTargetBefore}, 'accrue: the adaptive rate at target moved');
is($s->{repay}{eventAssets}, $s->{repay}{expectAssets}, 'repay by shares: assets = toAssetsUp(shares)');
cmp_ok($s->{repay}{eventAssets}, '>', '20000000000000000000', 'repay: more than borrowed (interest)');
is($s->{repay}{position}{borrowShares}, 0, 'repay: no borrow shares left');

# ---- Morpho: liquidation after the oracle drops ----
my $l = scenario('morpho-liquidate');
is($l->{healthyError}, 'position is healthy', 'a healthy position cannot be liquidated');
is($l->{priceEvent}, '600000000000000000000000000000000000', 'setPrice emits PriceUpdated with the new price');
is($l->{accrue}{event}{interest}, $l->{accrue}{interest}, 'liquidate: accrual as computed');
is($l->{lif}, '1043841336116910229', 'liquidation incentive factor 1/(1 - 0.3 (1 - 0.86))');
is_deeply($l->{event}, { repaidShares => $l->{expect}{repaidShares}, repaidAssets => $l->{expect}{repaidAssets},
		seizedAssets => $l->{expect}{seized} }, 'Liquidate: repaid shares and assets as computed from the seized collateral');
is($l->{collateralDrop}, $l->{expect}{seized}, "the borrower's collateral fell by the seized amount");
is($l->{borrowSharesDrop}, $l->{expect}{repaidShares}, 'its borrow shares by the repaid shares');
is($l->{liquidatorWethSpent}, $l->{expect}{repaidAssets}, 'the liquidator paid the repaid assets');
is($l->{liquidatorWeethGained}, $l->{expect}{seized}, 'and received the seized collateral');
ok($l->{reverted}, 'the liquidation was rolled back (evm_revert)');
is($l->{priceAfterRevert}, $M->{markets}{'weETH/WETH'}{oracle}{price}, 'the oracle is back at its deployed price');

# ---- the leverage account on Morpho ----
my $ml = scenario('morpho-lever');
my $lv = $ml->{lever};
is($ml->{deposited}, '5000000000000000000', 'deposit pulled 5 wstETH from the owner');
is($lv->{flashLoans}, 1, 'lever: one Morpho flash loan');
cmp_ok(B($lv->{collateralOut}), '>=', B($lv->{minOut}), "lever: swap out $lv->{collateralOut} >= minOut $lv->{minOut}");
is($lv->{collateralSupplied}, B($lv->{collateralOut})->badd('5000000000000000000')->bstr, 'lever: supplied the deposit plus the swap output');
is($lv->{position}{collateral}, $lv->{collateralSupplied}, "lever: the account's Morpho collateral");
is($lv->{borrowEventAssets}, '10000000000000000000', 'lever: borrowed the flash amount (10 WETH)');
is($lv->{borrowEventShares}, $lv->{expectShares}, 'lever: borrow shares = toSharesUp(10 WETH)');
is($lv->{position}{borrowShares}, $lv->{expectShares}, "lever: the account's borrow shares");
is($lv->{eventBorrowShares}, $lv->{expectShares}, 'lever: MorphoLevered reports them');
cmp_ok(B($lv->{debtAssetsUp})->bsub('10000000000000000000')->babs, '<=', 1, 'lever: debt is 10 WETH (to a wei)');
cmp_ok(B($lv->{debtAssetsUp}), '<', B($lv->{maxBorrow}), 'lever: the position is healthy');
is_deeply([ @{$lv}{qw(accountWeth accountWsteth)} ], [ 0, 0 ], 'lever: nothing left idle in the account');
cmp_ok($lv->{gasUsed}, '<', 450000, "lever gas $lv->{gasUsed}");
my $dv = $ml->{delever};
is($dv->{position}{borrowShares}, 0, 'delever: position(id, account).borrowShares == 0');
is($dv->{position}{collateral}, 0, 'delever: no collateral left');
is($dv->{repaidShares}, $lv->{position}{borrowShares}, 'delever: repaid all the borrow shares');
is($dv->{repayEventAssets}, $dv->{repaidAssets}, 'delever: flash-borrowed exactly what the repay took');
cmp_ok(B($dv->{repaidAssets}), '>', B('10000000000000000000'), 'delever: a day of interest on top');
is($dv->{collateralWithdrawn}, $lv->{position}{collateral}, 'delever: withdrew all the collateral');
cmp_ok(B($dv->{loanOut}), '>=', B($dv->{minLoanOut}), 'delever: swap out >= minLoanOut');
is($dv->{accountWeth}, B($dv->{loanOut})->bsub($dv->{repaidAssets})->bstr, 'delever: the rest stays in the account');
cmp_ok($dv->{gasUsed}, '<', 450000, "delever gas $dv->{gasUsed}");
is($ml->{withdrawn}{ownerGained}, $dv->{accountWeth}, 'withdraw(max) sends it all to the owner');
is($ml->{withdrawn}{accountWeth}, 0, 'and empties the account');

# ---- the leverage account on Aave ----
my $al = scenario('aave-lever');
is_deeply($al->{eMode}, { event => [1], user => 1 }, 'aaveSetEMode(1): UserEModeSet, getUserEMode == 1');
$lv = $al->{lever};
is($lv->{flashLoans}, 1, 'aave lever: one Morpho flash loan');
cmp_ok(B($lv->{collateralOut}), '>=', B($lv->{minOut}), 'aave lever: swap out >= minOut');
is($lv->{collateralSupplied}, B($lv->{collateralOut})->badd('5000000000000000000')->bstr, 'aave lever: supplied deposit plus swap output');
is($lv->{aTokenBalance}, $lv->{expectATokenBalance}, 'aave lever: aToken balance as the ray math gives');
ok($lv->{usageAsCollateral}, 'aave lever: wstETH used as collateral');
is_deeply([ @{$lv}{qw(borrowEventAmount borrowEventMode)} ], [ '10000000000000000000', 2 ], 'aave lever: variable borrow of 10 WETH');
is($lv->{scaledVariableDebt}, $lv->{expectScaledDebt}, 'aave lever: scaled debt = amount / index');
is($lv->{variableDebt}, $lv->{expectVariableDebt}, 'aave lever: variable debt as computed');
is_deeply([ @{$lv}{qw(ltv liquidationThreshold)} ], [ 9300, 9500 ], "aave lever: the account's LTV/LT are e-mode's");
cmp_ok(B($lv->{healthFactor}), '>', B('1000000000000000000'), 'aave lever: health factor above 1');
$dv = $al->{delever};
is($dv->{repaidAssets}, $dv->{repayEventAmount}, 'aave delever: repaid what the Repay event says');
cmp_ok(B($dv->{repaidAssets}), '>', B('10000000000000000000'), 'aave delever: a day of interest on top');
is($dv->{variableDebt}, 0, 'aave delever: variable debt 0');
is($dv->{scaledVariableDebt}, 0, 'aave delever: scaled variable debt 0');
is($dv->{variableDebtTokenBalance}, 0, 'aave delever: variable debt token balance 0');
is($dv->{aTokenBalanceOf}, 0, 'aave delever: no aTokens left');
is($dv->{collateralWithdrawn}, $dv->{aTokenAtPreviousBlock}, 'aave delever: withdrew all the collateral');
cmp_ok(B($dv->{loanOut}), '>=', B($dv->{minLoanOut}), 'aave delever: swap out >= minLoanOut');
is($dv->{accountWethGained}, B($dv->{loanOut})->bsub($dv->{repaidAssets})->bstr, 'aave delever: the rest stays in the account');
is($al->{eModeAfter}, 1, 'e-mode stays set');
note("gas: morpho lever $ml->{lever}{gasUsed}, delever $ml->{delever}{gasUsed}; aave lever $lv->{gasUsed}, delever $dv->{gasUsed}");

# ---- only the owner ----
my $n = scenario('non-owner');
for my $fn (sort keys %{ $n->{calls} })
{
	is($n->{calls}{$fn}, "NotOwner($n->{other})", "$fn by another account reverts NotOwner");
}
is($n->{callbackDirect}, "NotMorpho($n->{other})", 'the flash loan callback refuses anyone but Morpho');
is($n->{callbackFromMorpho}, 'NoFlashPending()', 'and Morpho outside an action');
like($n->{sendError}, qr/0x245aecd3/, 'a transaction by another account reverts (NotOwner selector)');
ok($n->{positionUnchanged}, "and leaves the owner's position");

$chain->stop;
done_testing();
