// SPDX-License-Identifier: MIT
// test/chain/contracts/MockWETH9.sol: wrapped ether with WETH9's interface
// (deposit, withdraw, receive, Deposit/Withdrawal events) over our ERC-20.
// The Uniswap periphery needs one (refundETH, unwrapWETH9) and no published
// package ships WETH9's compiled artifact.
pragma solidity ^0.8.20;

import "./AmpERC20.sol";

contract MockWETH9 is AmpERC20 {
    event Deposit(address indexed dst, uint256 wad);
    event Withdrawal(address indexed src, uint256 wad);

    error EtherTransferFailed();

    constructor() AmpERC20("Wrapped Ether", "WETH", 18) {}

    receive() external payable {
        deposit();
    }

    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
        totalSupply += msg.value;
        emit Deposit(msg.sender, msg.value);
        emit Transfer(address(0), msg.sender, msg.value);
    }

    function withdraw(uint256 wad) external {
        _burn(msg.sender, wad);
        emit Withdrawal(msg.sender, wad);
        (bool ok, ) = msg.sender.call{value: wad}("");
        if (!ok) revert EtherTransferFailed();
    }
}
