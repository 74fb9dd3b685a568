// SPDX-License-Identifier: MIT
// test/chain/contracts/MockLST.sol: a liquid staking token whose exchange
// rate against its underlying (ETH) grows, readable the three ways real
// tokens expose it: wstETH's stEthPerToken(), rETH's getExchangeRate() and
// ERC-4626's convertToAssets(shares). The owner moves the rate with
// setRate() or increaseRate(bps); every change emits RateUpdated.
// Rates are underlying per token, scaled by 1e18.
pragma solidity ^0.8.20;

import "./AmpERC20.sol";

contract MockLST is AmpERC20 {
    uint256 public constant RATE_SCALE = 1e18;

    uint256 public rate;
    uint256 public rateUpdatedAt;

    event RateUpdated(uint256 previousRate, uint256 newRate, uint256 updatedAt);

    error ZeroRate();

    constructor(string memory name_, string memory symbol_, uint256 initialRate)
        AmpERC20(name_, symbol_, 18)
    {
        if (initialRate == 0) revert ZeroRate();
        rate = initialRate;
        rateUpdatedAt = block.timestamp;
        emit RateUpdated(0, initialRate, block.timestamp);
    }

    /// Sets the exchange rate (underlying per token, 1e18 scale).
    function setRate(uint256 newRate) public onlyOwner {
        if (newRate == 0) revert ZeroRate();
        uint256 previous = rate;
        rate = newRate;
        rateUpdatedAt = block.timestamp;
        emit RateUpdated(previous, newRate, block.timestamp);
    }

    /// Grows the rate by bps basis points (1 bps = 0.01 %), rounding down.
    function increaseRate(uint256 bps) external onlyOwner returns (uint256) {
        setRate((rate * (10000 + bps)) / 10000);
        return rate;
    }

    // wstETH
    function stEthPerToken() external view returns (uint256) {
        return rate;
    }

    function tokensPerStEth() external view returns (uint256) {
        return (RATE_SCALE * RATE_SCALE) / rate;
    }

    function getStETHByWstETH(uint256 amount) external view returns (uint256) {
        return (amount * rate) / RATE_SCALE;
    }

    function getWstETHByStETH(uint256 amount) external view returns (uint256) {
        return (amount * RATE_SCALE) / rate;
    }

    // rETH
    function getExchangeRate() external view returns (uint256) {
        return rate;
    }

    function getEthValue(uint256 amount) external view returns (uint256) {
        return (amount * rate) / RATE_SCALE;
    }

    function getRethValue(uint256 amount) external view returns (uint256) {
        return (amount * RATE_SCALE) / rate;
    }

    // ERC-4626 (the read side)
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return (shares * rate) / RATE_SCALE;
    }

    function convertToShares(uint256 assets) external view returns (uint256) {
        return (assets * RATE_SCALE) / rate;
    }

    function totalAssets() external view returns (uint256) {
        return (totalSupply * rate) / RATE_SCALE;
    }
}
