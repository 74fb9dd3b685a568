// SPDX-License-Identifier: MIT
// test/chain/contracts/AmpLeverageAccount.sol: amplified's on-chain periphery
// for leveraged lending positions. A user deploys one AmpLeverageAccount per
// EOA; the EOA is its owner and the only caller of its actions. The account
// holds the positions itself (Morpho Blue collateral and borrow, Aave v3
// aTokens and variable debt), so no authorization of a shared helper is ever
// given, and every action is one transaction the owner signs (amplified's
// transaction queue enqueues them).
//
// Actions (owner only; each emits an event with its amounts):
//   deposit(token, amount)                  pull tokens from the owner (approve first)
//   withdraw(token, amount, to)             send tokens out (amount max = the balance)
//   morphoSupplyCollateral(mp, amount)      supply held collateral to a Morpho market
//   morphoWithdrawCollateral(mp, amount, to)
//   morphoLever(mp, flashAssets, minCollateralOut, poolFee)
//       Morpho flash loan of flashAssets loan token -> Uniswap v3 swap to the
//       collateral token (exactInputSingle, at least minCollateralOut) ->
//       supplyCollateral of all the collateral token the account holds ->
//       borrow flashAssets -> the flash loan is repaid (Morpho pulls it).
//   morphoDelever(mp, repayShares, withdrawCollateral, minLoanOut, poolFee)
//       Morpho flash loan of the assets repayShares is worth -> repay by
//       shares -> withdrawCollateral -> swap it all to the loan token (at
//       least minLoanOut, and enough to repay the flash loan) -> the flash
//       loan is repaid; what is left stays in the account. repayShares =
//       type(uint256).max repays all the borrow shares, withdrawCollateral =
//       type(uint256).max withdraws all the collateral: a full unwind.
//   morphoSupply(mp, assets) / morphoWithdraw(mp, assets)
//       lend held loan token to a Morpho market / take it back (assets max:
//       all the account's supply shares)
//   aaveSupply(asset, amount) / aaveWithdraw(asset, amount)
//       the same on Aave v3 (amount max on withdraw: all the aTokens)
//   aaveSetEMode(categoryId)
//   aaveLever(collateral, debt, flashAssets, minCollateralOut, poolFee)
//   aaveDelever(collateral, debt, repayAssets, withdrawCollateral, minLoanOut, poolFee)
//       the same shapes on Aave v3 (variable-rate debt; max = all the debt /
//       all the aTokens). The flash loan comes from Morpho too (free).
//
// Every lending action returns what it leaves, so that an eth_call of it
// (amplified simulates each action at a pinned block before it enqueues it)
// shows the outcome: (collateral, debt, idle loan token) for the lever and
// delever actions, (supplied, 0, idle) for supply and withdraw, in raw units;
// the debt is what the protocol would have the account repay (Morpho's
// toAssetsUp of its borrow shares, Aave's variable debt balance).
//
// There is deliberately no generic execute(target, data): the surface is these
// actions and nothing else. The flash loan callback only runs inside an
// action the owner started, and only when Morpho calls it.
pragma solidity ^0.8.20;

struct MarketParams {
    address loanToken;
    address collateralToken;
    address oracle;
    address irm;
    uint256 lltv;
}

interface IERC20Min {
    function balanceOf(address) external view returns (uint256);
    function allowance(address, address) external view returns (uint256);
    function approve(address, uint256) external returns (bool);
    function transfer(address, uint256) external returns (bool);
    function transferFrom(address, address, uint256) external returns (bool);
}

interface IMorphoMin {
    function flashLoan(address token, uint256 assets, bytes calldata data) external;
    function supply(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf, bytes memory data)
        external
        returns (uint256, uint256);
    function withdraw(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf, address receiver)
        external
        returns (uint256, uint256);
    function accrueInterest(MarketParams memory marketParams) external;
    function supplyCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, bytes memory data)
        external;
    function withdrawCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, address receiver)
        external;
    function borrow(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf, address receiver)
        external
        returns (uint256, uint256);
    function repay(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf, bytes memory data)
        external
        returns (uint256, uint256);
    function position(bytes32 id, address user)
        external
        view
        returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral);
    function market(bytes32 id)
        external
        view
        returns (
            uint128 totalSupplyAssets,
            uint128 totalSupplyShares,
            uint128 totalBorrowAssets,
            uint128 totalBorrowShares,
            uint128 lastUpdate,
            uint128 fee
        );
}

// Aave v3.0 Pool's ReserveData (getReserveData).
struct AaveReserveData {
    uint256 configuration;
    uint128 liquidityIndex;
    uint128 currentLiquidityRate;
    uint128 variableBorrowIndex;
    uint128 currentVariableBorrowRate;
    uint128 currentStableBorrowRate;
    uint40 lastUpdateTimestamp;
    uint16 id;
    address aTokenAddress;
    address stableDebtTokenAddress;
    address variableDebtTokenAddress;
    address interestRateStrategyAddress;
    uint128 accruedToTreasury;
    uint128 unbacked;
    uint128 isolationModeTotalDebt;
}

interface IAavePoolMin {
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
    function withdraw(address asset, uint256 amount, address to) external returns (uint256);
    function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)
        external;
    function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)
        external
        returns (uint256);
    function setUserEMode(uint8 categoryId) external;
    function getReserveData(address asset) external view returns (AaveReserveData memory);
}

// Uniswap v3 periphery SwapRouter (v1).
interface ISwapRouterMin {
    struct ExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 deadline;
        uint256 amountIn;
        uint256 amountOutMinimum;
        uint160 sqrtPriceLimitX96;
    }

    function exactInputSingle(ExactInputSingleParams calldata params) external payable returns (uint256 amountOut);
}

contract AmpLeverageAccount {
    uint256 private constant VIRTUAL_SHARES = 1e6;    // Morpho's SharesMathLib
    uint256 private constant VIRTUAL_ASSETS = 1;
    uint256 private constant AAVE_VARIABLE = 2;

    uint8 private constant OP_MORPHO_LEVER = 1;
    uint8 private constant OP_MORPHO_DELEVER = 2;
    uint8 private constant OP_AAVE_LEVER = 3;
    uint8 private constant OP_AAVE_DELEVER = 4;

    address public immutable owner;
    address public immutable morpho;
    address public immutable aavePool;
    address public immutable swapRouter;

    // FLASH_PENDING only while an action waits for Morpho's flash loan
    // callback, FLASH_IDLE otherwise (never zero: cheaper to flip).
    uint256 private constant FLASH_IDLE = 1;
    uint256 private constant FLASH_PENDING = 2;
    uint256 private flashState = FLASH_IDLE;

    // What the flash loan callback reports back to the action.
    uint256 private lastOut;
    uint256 private lastSupplied;

    event Deposited(address indexed token, uint256 amount);
    event Withdrawn(address indexed token, uint256 amount, address to);
    event MorphoCollateralSupplied(bytes32 indexed id, uint256 assets);
    event MorphoCollateralWithdrawn(bytes32 indexed id, uint256 assets, address to);
    event MorphoLevered(
        bytes32 indexed id, uint256 flashAssets, uint256 collateralOut, uint256 collateralSupplied, uint256 borrowShares
    );
    event MorphoDelevered(
        bytes32 indexed id, uint256 repaidAssets, uint256 repaidShares, uint256 collateralWithdrawn, uint256 loanOut
    );
    event AaveEModeSet(uint8 categoryId);
    event MorphoSupplied(bytes32 indexed id, uint256 assets, uint256 shares);
    event MorphoWithdrawn(bytes32 indexed id, uint256 assets, uint256 shares);
    event AaveSupplied(address indexed asset, uint256 amount);
    event AaveWithdrawn(address indexed asset, uint256 amount);
    event AaveLevered(
        address indexed collateral, address indexed debt, uint256 flashAssets, uint256 collateralOut, uint256 collateralSupplied
    );
    event AaveDelevered(
        address indexed collateral, address indexed debt, uint256 repaidAssets, uint256 collateralWithdrawn, uint256 loanOut
    );

    error NotOwner(address caller);
    error NotMorpho(address caller);
    error NoFlashPending();
    error NothingToRepay();
    error InsufficientOut(uint256 got, uint256 needed);
    error TokenCallFailed(address token);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(address owner_, address morpho_, address aavePool_, address swapRouter_) {
        owner = owner_;
        morpho = morpho_;
        aavePool = aavePool_;
        swapRouter = swapRouter_;
    }

    /// Morpho's market id: keccak256(abi.encode(marketParams)).
    function marketId(MarketParams memory mp) public pure returns (bytes32) {
        return keccak256(abi.encode(mp));
    }

    // ---- plain token moves ----

    /// Pulls amount of token from the owner (who approved this account).
    function deposit(address token, uint256 amount) external onlyOwner {
        _call(token, abi.encodeCall(IERC20Min.transferFrom, (msg.sender, address(this), amount)));
        emit Deposited(token, amount);
    }

    /// Sends amount of token (type(uint256).max: all of it) to `to`.
    function withdraw(address token, uint256 amount, address to) external onlyOwner {
        if (amount == type(uint256).max) amount = IERC20Min(token).balanceOf(address(this));
        _call(token, abi.encodeCall(IERC20Min.transfer, (to, amount)));
        emit Withdrawn(token, amount, to);
    }

    // ---- Morpho ----

    /// Supplies amount (max: all held) of the market's collateral token.
    function morphoSupplyCollateral(MarketParams calldata mp, uint256 amount) external onlyOwner {
        if (amount == type(uint256).max) amount = IERC20Min(mp.collateralToken).balanceOf(address(this));
        _approve(mp.collateralToken, morpho, amount);
        IMorphoMin(morpho).supplyCollateral(mp, amount, address(this), "");
        emit MorphoCollateralSupplied(marketId(mp), amount);
    }

    /// Withdraws amount (max: all) of the account's collateral to `to`.
    function morphoWithdrawCollateral(MarketParams calldata mp, uint256 amount, address to) external onlyOwner {
        bytes32 id = marketId(mp);
        if (amount == type(uint256).max) {
            (,, uint128 c) = IMorphoMin(morpho).position(id, address(this));
            amount = c;
        }
        IMorphoMin(morpho).withdrawCollateral(mp, amount, address(this), to);
        emit MorphoCollateralWithdrawn(id, amount, to);
    }

    /// Flash-borrows flashAssets of the loan token, swaps them to collateral,
    /// supplies all the collateral held and borrows flashAssets to repay.
    function morphoLever(MarketParams calldata mp, uint256 flashAssets, uint256 minCollateralOut, uint24 poolFee)
        external
        onlyOwner
        returns (uint256 collateral, uint256 debt, uint256 idle)
    {
        _flash(mp.loanToken, flashAssets, abi.encode(OP_MORPHO_LEVER, abi.encode(mp, minCollateralOut, poolFee)));
        bytes32 id = marketId(mp);
        (, uint128 borrowShares,) = IMorphoMin(morpho).position(id, address(this));
        emit MorphoLevered(id, flashAssets, lastOut, lastSupplied, borrowShares);
        return _morphoState(mp);
    }

    /// Repays repayShares (max: all) of the account's borrow with flash-
    /// borrowed loan token, withdraws withdrawCollateral (max: all) and swaps
    /// it to the loan token to repay the flash loan; the rest stays here.
    function morphoDelever(
        MarketParams calldata mp,
        uint256 repayShares,
        uint256 withdrawCollateral,
        uint256 minLoanOut,
        uint24 poolFee
    ) external onlyOwner returns (uint256, uint256, uint256) {
        _morphoDelever(mp, repayShares, withdrawCollateral, minLoanOut, poolFee);
        return _morphoState(mp);
    }

    function _morphoDelever(
        MarketParams calldata mp,
        uint256 repayShares,
        uint256 withdrawCollateral,
        uint256 minLoanOut,
        uint24 poolFee
    ) private {
        bytes32 id = marketId(mp);
        IMorphoMin(morpho).accrueInterest(mp);
        (, uint128 borrowShares, uint128 collateral) = IMorphoMin(morpho).position(id, address(this));
        if (repayShares == type(uint256).max) repayShares = borrowShares;
        if (withdrawCollateral == type(uint256).max) withdrawCollateral = collateral;
        if (repayShares == 0) revert NothingToRepay();
        (,, uint128 tba, uint128 tbs,,) = IMorphoMin(morpho).market(id);
        // SharesMathLib.toAssetsUp, as Morpho's repay computes it.
        uint256 d = uint256(tbs) + VIRTUAL_SHARES;
        uint256 assets = (repayShares * (uint256(tba) + VIRTUAL_ASSETS) + (d - 1)) / d;
        _flash(
            mp.loanToken,
            assets,
            abi.encode(OP_MORPHO_DELEVER, abi.encode(mp, repayShares, withdrawCollateral, minLoanOut, poolFee))
        );
        emit MorphoDelevered(id, assets, repayShares, withdrawCollateral, lastOut);
    }

    /// Lends amount of the market's loan token held here to the market.
    function morphoSupply(MarketParams calldata mp, uint256 assets)
        external
        onlyOwner
        returns (uint256 supplied, uint256 zero, uint256 idle)
    {
        _approve(mp.loanToken, morpho, assets);
        (, uint256 shares) = IMorphoMin(morpho).supply(mp, assets, 0, address(this), "");
        emit MorphoSupplied(marketId(mp), assets, shares);
        return (_morphoSupplied(mp), 0, IERC20Min(mp.loanToken).balanceOf(address(this)));
    }

    /// Takes assets (max: all the supply shares) of the loan token back here.
    function morphoWithdraw(MarketParams calldata mp, uint256 assets)
        external
        onlyOwner
        returns (uint256 supplied, uint256 zero, uint256 idle)
    {
        uint256 got;
        uint256 shares;
        if (assets == type(uint256).max) {
            (uint256 s,,) = IMorphoMin(morpho).position(marketId(mp), address(this));
            (got, shares) = IMorphoMin(morpho).withdraw(mp, 0, s, address(this), address(this));
        } else {
            (got, shares) = IMorphoMin(morpho).withdraw(mp, assets, 0, address(this), address(this));
        }
        emit MorphoWithdrawn(marketId(mp), got, shares);
        return (_morphoSupplied(mp), 0, IERC20Min(mp.loanToken).balanceOf(address(this)));
    }

    // ---- Aave v3 ----

    /// Enters (or leaves, with 0) an Aave e-mode category.
    function aaveSetEMode(uint8 categoryId) external onlyOwner {
        IAavePoolMin(aavePool).setUserEMode(categoryId);
        emit AaveEModeSet(categoryId);
    }

    /// Flash-borrows flashAssets of debt, swaps them to collateral, supplies
    /// all the collateral held to Aave and borrows flashAssets (variable).
    function aaveLever(address collateral, address debt, uint256 flashAssets, uint256 minCollateralOut, uint24 poolFee)
        external
        onlyOwner
        returns (uint256 collateralLeft, uint256 debtLeft, uint256 idle)
    {
        _flash(debt, flashAssets, abi.encode(OP_AAVE_LEVER, abi.encode(collateral, debt, minCollateralOut, poolFee)));
        emit AaveLevered(collateral, debt, flashAssets, lastOut, lastSupplied);
        return _aaveState(collateral, debt);
    }

    /// Repays repayAssets (max: all) of the variable debt with flash-borrowed
    /// debt token, withdraws withdrawCollateral (max: all aTokens), swaps it
    /// to the debt token to repay the flash loan; the rest stays here.
    function aaveDelever(
        address collateral,
        address debt,
        uint256 repayAssets,
        uint256 withdrawCollateral,
        uint256 minLoanOut,
        uint24 poolFee
    ) external onlyOwner returns (uint256 collateralLeft, uint256 debtLeft, uint256 idle) {
        uint256 owed = IERC20Min(IAavePoolMin(aavePool).getReserveData(debt).variableDebtTokenAddress).balanceOf(
            address(this)
        );
        if (repayAssets > owed) repayAssets = owed;
        if (repayAssets == 0) revert NothingToRepay();
        _flash(
            debt,
            repayAssets,
            abi.encode(OP_AAVE_DELEVER, abi.encode(collateral, debt, repayAssets, withdrawCollateral, minLoanOut, poolFee))
        );
        emit AaveDelevered(collateral, debt, repayAssets, lastSupplied, lastOut);
        return _aaveState(collateral, debt);
    }

    /// Lends amount of asset held here to Aave.
    function aaveSupply(address asset, uint256 amount)
        external
        onlyOwner
        returns (uint256 supplied, uint256 zero, uint256 idle)
    {
        _approve(asset, aavePool, amount);
        IAavePoolMin(aavePool).supply(asset, amount, address(this), 0);
        emit AaveSupplied(asset, amount);
        return (_aToken(asset), 0, IERC20Min(asset).balanceOf(address(this)));
    }

    /// Takes amount (max: all the aTokens) of asset back here.
    function aaveWithdraw(address asset, uint256 amount)
        external
        onlyOwner
        returns (uint256 supplied, uint256 zero, uint256 idle)
    {
        uint256 got = IAavePoolMin(aavePool).withdraw(asset, amount, address(this));
        emit AaveWithdrawn(asset, got);
        return (_aToken(asset), 0, IERC20Min(asset).balanceOf(address(this)));
    }

    // ---- the flash loan ----

    function _flash(address token, uint256 assets, bytes memory data) private {
        flashState = FLASH_PENDING;
        IMorphoMin(morpho).flashLoan(token, assets, data);
        flashState = FLASH_IDLE;
    }

    /// Morpho's flash loan callback: the second half of an action.
    function onMorphoFlashLoan(uint256 assets, bytes calldata data) external {
        if (msg.sender != morpho) revert NotMorpho(msg.sender);
        if (flashState != FLASH_PENDING) revert NoFlashPending();
        (uint8 op, bytes memory args) = abi.decode(data, (uint8, bytes));
        address loanToken;
        if (op == OP_MORPHO_LEVER) {
            (MarketParams memory mp, uint256 minOut, uint24 fee) = abi.decode(args, (MarketParams, uint256, uint24));
            loanToken = mp.loanToken;
            lastOut = _swap(mp.loanToken, mp.collateralToken, fee, assets, minOut);
            uint256 all = IERC20Min(mp.collateralToken).balanceOf(address(this));
            _approve(mp.collateralToken, morpho, all);
            IMorphoMin(morpho).supplyCollateral(mp, all, address(this), "");
            IMorphoMin(morpho).borrow(mp, assets, 0, address(this), address(this));
            lastSupplied = all;
        } else if (op == OP_MORPHO_DELEVER) {
            (MarketParams memory mp, uint256 shares, uint256 wc, uint256 minOut, uint24 fee) =
                abi.decode(args, (MarketParams, uint256, uint256, uint256, uint24));
            loanToken = mp.loanToken;
            _approve(mp.loanToken, morpho, assets);
            IMorphoMin(morpho).repay(mp, 0, shares, address(this), "");
            if (wc > 0) IMorphoMin(morpho).withdrawCollateral(mp, wc, address(this), address(this));
            lastOut = wc > 0 ? _swap(mp.collateralToken, mp.loanToken, fee, wc, minOut) : 0;
        } else if (op == OP_AAVE_LEVER) {
            (address coll, address debt, uint256 minOut, uint24 fee) =
                abi.decode(args, (address, address, uint256, uint24));
            loanToken = debt;
            lastOut = _swap(debt, coll, fee, assets, minOut);
            uint256 all = IERC20Min(coll).balanceOf(address(this));
            _approve(coll, aavePool, all);
            IAavePoolMin(aavePool).supply(coll, all, address(this), 0);
            IAavePoolMin(aavePool).borrow(debt, assets, AAVE_VARIABLE, 0, address(this));
            lastSupplied = all;
        } else {
            (address coll, address debt, uint256 repayAssets, uint256 wc, uint256 minOut, uint24 fee) =
                abi.decode(args, (address, address, uint256, uint256, uint256, uint24));
            loanToken = debt;
            _approve(debt, aavePool, repayAssets);
            IAavePoolMin(aavePool).repay(debt, repayAssets, AAVE_VARIABLE, address(this));
            uint256 got = wc > 0 ? IAavePoolMin(aavePool).withdraw(coll, wc, address(this)) : 0;
            lastSupplied = got;
            lastOut = got > 0 ? _swap(coll, debt, fee, got, minOut) : 0;
        }
        // Morpho pulls the flash loan back after this returns.
        uint256 bal = IERC20Min(loanToken).balanceOf(address(this));
        if (bal < assets) revert InsufficientOut(bal, assets);
        _approve(loanToken, morpho, assets);
    }

    // ---- helpers ----

    // The account's Morpho collateral, debt (toAssetsUp of its borrow
    // shares, as repay computes it) and idle loan token.
    function _morphoState(MarketParams calldata mp) private view returns (uint256, uint256, uint256) {
        bytes32 id = marketId(mp);
        (, uint128 bs, uint128 c) = IMorphoMin(morpho).position(id, address(this));
        (,, uint128 tba, uint128 tbs,,) = IMorphoMin(morpho).market(id);
        uint256 d = uint256(tbs) + VIRTUAL_SHARES;
        uint256 debt = (uint256(bs) * (uint256(tba) + VIRTUAL_ASSETS) + (d - 1)) / d;
        return (c, debt, IERC20Min(mp.loanToken).balanceOf(address(this)));
    }

    // The loan assets the account's supply shares are worth (toAssetsDown).
    function _morphoSupplied(MarketParams calldata mp) private view returns (uint256) {
        bytes32 id = marketId(mp);
        (uint256 ss,,) = IMorphoMin(morpho).position(id, address(this));
        (uint128 tsa, uint128 tss,,,,) = IMorphoMin(morpho).market(id);
        return ss * (uint256(tsa) + VIRTUAL_ASSETS) / (uint256(tss) + VIRTUAL_SHARES);
    }

    function _aToken(address asset) private view returns (uint256) {
        return IERC20Min(IAavePoolMin(aavePool).getReserveData(asset).aTokenAddress).balanceOf(address(this));
    }

    // The account's aTokens of collateral, variable debt of debt, and idle debt token.
    function _aaveState(address collateral, address debt) private view returns (uint256, uint256, uint256) {
        return (
            _aToken(collateral),
            IERC20Min(IAavePoolMin(aavePool).getReserveData(debt).variableDebtTokenAddress).balanceOf(address(this)),
            IERC20Min(debt).balanceOf(address(this))
        );
    }

    function _swap(address tokenIn, address tokenOut, uint24 fee, uint256 amountIn, uint256 minOut)
        private
        returns (uint256)
    {
        _approve(tokenIn, swapRouter, amountIn);
        return ISwapRouterMin(swapRouter).exactInputSingle(
            ISwapRouterMin.ExactInputSingleParams({
                tokenIn: tokenIn,
                tokenOut: tokenOut,
                fee: fee,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: amountIn,
                amountOutMinimum: minOut,
                sqrtPriceLimitX96: 0
            })
        );
    }

    // An allowance of at least amount for spender (set to the maximum once).
    function _approve(address token, address spender, uint256 amount) private {
        if (IERC20Min(token).allowance(address(this), spender) < amount) {
            _call(token, abi.encodeCall(IERC20Min.approve, (spender, type(uint256).max)));
        }
    }

    // A token call that must not revert and, if it returns data, return true.
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool))) || token.code.length == 0) {
            revert TokenCallFailed(token);
        }
    }
}
