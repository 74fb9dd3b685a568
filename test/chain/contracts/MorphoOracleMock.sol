// SPDX-License-Identifier: MIT
// test/chain/contracts/MorphoOracleMock.sol: a Morpho Blue oracle (IOracle)
// for the chain fixture, one per market. price() is the price of one unit of
// the collateral token quoted in units of the loan token, scaled by 1e36
// (times 10^(loan decimals - collateral decimals) for tokens of different
// decimals), which is what Morpho multiplies collateral by. The owner moves
// it with setPrice(); every change emits PriceUpdated.
pragma solidity ^0.8.20;

contract MorphoOracleMock {
    address public owner;
    uint256 public price;
    uint256 public updatedAt;

    event PriceUpdated(uint256 previousPrice, uint256 newPrice, uint256 updatedAt);

    error NotOwner(address caller);

    constructor(uint256 initialPrice) {
        owner = msg.sender;
        price = initialPrice;
        updatedAt = block.timestamp;
        emit PriceUpdated(0, initialPrice, block.timestamp);
    }

    /// Sets the price (collateral in loan token, 1e36 scale).
    function setPrice(uint256 newPrice) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 previous = price;
        price = newPrice;
        updatedAt = block.timestamp;
        emit PriceUpdated(previous, newPrice, block.timestamp);
    }
}
