"""The dependency graph: cycles (Tarjan, iterative) and the transitive blast radius."""

from portfolio.graph import dependency_cycles, dependents_closure


def test_no_cycles_in_a_tree_or_a_diamond():
    assert dependency_cycles([]) == []
    assert dependency_cycles([(1, 2), (1, 3), (2, 4), (3, 4)]) == []


def test_one_two_cycle():
    assert dependency_cycles([(1, 2), (2, 1), (2, 3)]) == [[1, 2]]


def test_a_three_cycle_with_a_tail():
    edges = [(10, 11), (11, 12), (12, 10), (12, 13), (13, 14), (9, 10)]
    assert dependency_cycles(edges) == [[10, 11, 12]]


def test_two_separate_cycles_sorted_by_first_member():
    edges = [(7, 8), (8, 7), (1, 2), (2, 3), (3, 1), (3, 7)]
    assert dependency_cycles(edges) == [[1, 2, 3], [7, 8]]


def test_a_long_chain_needs_no_recursion():
    chain = [(node, node + 1) for node in range(2000)]
    assert dependency_cycles(chain) == []
    closing = [*chain, (2000, 0)]
    (cycle,) = dependency_cycles(closing)
    assert cycle == list(range(2001))
    assert len(dependents_closure(chain, 2000)) == 2000


def test_parallel_edges_of_different_kinds_do_not_make_a_cycle():
    assert dependency_cycles([(1, 2), (1, 2)]) == []


def test_dependents_closure_is_transitive():
    # 1 and 2 depend on 3; 4 depends on 1; 5 depends on 4; 6 is unrelated; 3 depends on 7.
    edges = [(1, 3), (2, 3), (4, 1), (5, 4), (6, 7), (3, 7)]
    assert dependents_closure(edges, 3) == {1, 2, 4, 5}
    assert dependents_closure(edges, 7) == {1, 2, 3, 4, 5, 6}
    assert dependents_closure(edges, 5) == set()
    assert dependents_closure(edges, 99) == set()


def test_dependents_closure_in_a_cycle_excludes_the_application_itself():
    edges = [(1, 2), (2, 3), (3, 1), (4, 1)]
    assert dependents_closure(edges, 1) == {2, 3, 4}
    assert dependents_closure(edges, 4) == set()
