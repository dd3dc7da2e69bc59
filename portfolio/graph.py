"""The dependency graph of a portfolio: cycles and the transitive blast radius.

Pure functions over edge lists (``(source_id, target_id)`` meaning source depends on
target), so they are tested without a database and selectors feed them one query's rows.
"""

from collections import defaultdict, deque
from collections.abc import Iterable

Edge = tuple[int, int]


def dependency_cycles(edges: Iterable[Edge]) -> list[list[int]]:
    """Groups of applications that depend on each other in a circle.

    Each group is a strongly connected component with more than one member (Tarjan's
    algorithm, iterative so deep portfolios cannot exhaust the stack), members sorted; groups
    sorted by their first member. Self-dependencies cannot exist (database constraint).
    """
    graph: dict[int, list[int]] = defaultdict(list)
    nodes: set[int] = set()
    for source, target in edges:
        graph[source].append(target)
        nodes.update((source, target))

    index_of: dict[int, int] = {}
    lowlink: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0

    for root in sorted(nodes):
        if root in index_of:
            continue
        work = [(root, iter(graph[root]))]
        index_of[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index_of:
                    index_of[successor] = lowlink[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    advanced = True
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index_of[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def dependents_closure(edges: Iterable[Edge], application_id: int) -> set[int]:
    """Every application that depends on ``application_id`` directly or through others:
    what an outage of it can reach. The application itself is excluded, even in a cycle."""
    depended_on_by: dict[int, list[int]] = defaultdict(list)
    for source, target in edges:
        depended_on_by[target].append(source)
    reached: set[int] = set()
    queue = deque([application_id])
    while queue:
        for source in depended_on_by[queue.popleft()]:
            if source not in reached:
                reached.add(source)
                queue.append(source)
    reached.discard(application_id)
    return reached
