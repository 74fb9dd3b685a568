// SPDX-License-Identifier: MIT
// test/chain/contracts/Recorder.sol: the target of the transaction queue's
// end-to-end tests. record(id) counts every execution of id, so a
// transaction executed twice shows as a count of 2; fail(why) always
// reverts with a reason, for simulations that must be rejected; and
// recordAfter(id, prior) reverts until prior has been recorded, for
// intents that depend on an earlier one.
pragma solidity ^0.8.20;

contract Recorder {
    mapping(uint256 => uint256) public count;
    uint256 public total;

    event Recorded(uint256 indexed id, address indexed sender, uint256 count);

    /// Counts one execution of id.
    function record(uint256 id) public {
        count[id] += 1;
        total += 1;
        emit Recorded(id, msg.sender, count[id]);
    }

    /// Counts id once prior has been recorded; reverts before.
    function recordAfter(uint256 id, uint256 prior) external {
        require(count[prior] > 0, "prior not recorded");
        record(id);
    }

    /// Always reverts with why.
    function fail(string calldata why) external pure {
        revert(why);
    }
}
