//! One sort for the whole lab (and an insertion sort for lists nearly in order). Every `sort`,
//! `sort_unstable` and `sort_by_key` on another element type links another copy of std's sort
//! (quicksort, driftsort, small-sort networks: 1–3 KB each), and the page carried over a dozen of
//! them. These helpers sort a list of indices with one
//! comparison behind a `dyn`, so a build holds a single copy of std's sort, then move the elements
//! into that order. Every sort here is stable.

use std::cmp::Ordering;

/// Sorts `items` by `key`, keeping equal keys in their order (like `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let order = order_of(items.len(), &|a, b| key(&items[a]).cmp(&key(&items[b])));
    permute(items, order);
}

/// Sorts `items` by value (like `slice::sort`).
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    let order = order_of(items.len(), &|a, b| items[a].cmp(&items[b]));
    permute(items, order);
}

/// Sorts `items` in place by value, for a list already nearly in order, where moving the few
/// items out of place (an insertion sort, stable) is cheaper than `sort`'s index vector, dynamic
/// comparison and permutation: the producer's queue, sorted at every drain (`make bench`).
pub fn sort_nearly_sorted<T: Ord>(items: &mut [T]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && items[j - 1] > items[j] {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Sorts `items` and removes repeated values (like `sort` then `dedup`).
pub fn sort_dedup<T: Ord>(items: &mut Vec<T>) {
    sort(items);
    items.dedup();
}

/// The indices `0..len` in the order `compare` gives: the one call of std's sort.
#[inline(never)]
fn order_of(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    order.sort_by(|&a, &b| compare(a as usize, b as usize));
    order
}

/// Moves `items` into `order` (a permutation of their indices).
fn permute<T>(items: &mut Vec<T>, order: Vec<u32>) {
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i as usize].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_by_key_and_by_value() {
        let mut pairs = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by_key(&mut pairs, |p| p.0);
        assert_eq!(pairs, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut words = vec!["pear", "apple", "fig", "apple"];
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
        sort_dedup(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);
        let mut nearly = vec![(2, 'b'), (0, 'r'), (1, 'a'), (3, 'c'), (5, 'e'), (4, 'd')];
        sort_nearly_sorted(&mut nearly);
        assert_eq!(nearly, [(0, 'r'), (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')]);
        let mut empty: Vec<u8> = Vec::new();
        sort_dedup(&mut empty);
        assert!(empty.is_empty());
    }
}
