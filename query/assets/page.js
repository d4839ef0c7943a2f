/*
 * What the search page adds when JavaScript runs (query/page.c writes a
 * page that is whole without it):
 *   - search as you type: the results of the box's text replace the
 *     page's, fetched from /search as the form would ask, a moment
 *     after the last key, and a screen reader is told what came (the
 *     count, or that nothing matched) through a live region that stays
 *     on the page (one that comes with the new results is not read);
 *     not while an input method composes (Chinese, Japanese, Korean):
 *     its letters are not yet the text, which comes when it ends;
 *   - completions of the box's last word, from /api/suggest, in the
 *     box's list;
 *   - keys: "/" goes to the search box, j or the down arrow to the next
 *     result, k or the up arrow to the previous one, Escape leaves the
 *     box;
 *   - a thumbnail that cannot be loaded is hidden, not shown broken;
 *   - the footer that tells the keys is shown (without the script there
 *     are none to tell).
 * It keeps to what the Content-Security-Policy allows: no inline code,
 * no eval, fetches to the server only.
 */
"use strict";

(function () {
	var DELAY = 250; /* ms after the last key before searching */
	var form = document.querySelector("form.search");
	var box = document.getElementById("q");
	var timer = 0;
	var asked = 0; /* the number of the last search sent */
	var told = null; /* the live region, there before anything is said */

	function typing(el) {
		return el && (el.isContentEditable ||
			/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
	}

	/* Each result's title link (or its title, when it has no link). */
	function targets() {
		return Array.prototype.map.call(
			document.querySelectorAll(".hit"), function (hit) {
				return hit.querySelector(".title a") ||
					hit.querySelector(".title");
			});
	}

	/* False, having done nothing, when the page has no result: the key
	 * then does what it does without the script (an arrow scrolls). */
	function move(step) {
		var all = targets();
		if (!all.length)
			return false;
		var at = all.indexOf(document.activeElement);
		var next = at < 0 ? (step > 0 ? 0 : all.length - 1)
			: Math.min(all.length - 1, Math.max(0, at + step));
		var target = all[next];
		if (!target.hasAttribute("href"))
			target.setAttribute("tabindex", "-1");
		target.focus();
		document.querySelectorAll(".hit.current").forEach(function (h) {
			h.classList.remove("current");
		});
		target.closest(".hit").classList.add("current");
		target.closest(".hit").scrollIntoView({block: "nearest"});
		return true;
	}

	document.addEventListener("keydown", function (e) {
		if (e.altKey || e.ctrlKey || e.metaKey)
			return;
		if (typing(e.target)) {
			if (e.key === "Escape" && e.target === box)
				box.blur();
			return;
		}
		if (e.key === "/") {
			e.preventDefault();
			box.focus();
			box.select();
		} else if ((e.key === "j" || e.key === "ArrowDown") && move(1)) {
			e.preventDefault();
		} else if ((e.key === "k" || e.key === "ArrowUp") && move(-1)) {
			e.preventDefault();
		}
	});

	/* The form's fields as a query string, but for an empty date. */
	function query() {
		var params = new URLSearchParams(new FormData(form));
		["from", "to"].forEach(function (name) {
			if (params.get(name) === "")
				params.delete(name);
		});
		if (params.get("sort") === "relevance")
			params.delete("sort");
		return params.toString();
	}

	/* Say what the new results are: the count, or the heading of the
	 * page for none or for a problem. */
	function tell(main) {
		var what = main.querySelector(".summary") ||
			main.querySelector("h1:not(.visually-hidden)");
		if (told)
			told.textContent = what ? what.textContent.trim() : "";
	}

	/* The head's link to the search's feed (for readers that find a
	 * page's feeds) is the new results', or none. */
	function feedLink(doc) {
		var atom = 'link[rel="alternate"][type="application/atom+xml"]';
		var old = document.head.querySelector(atom);
		var fresh = doc.head.querySelector(atom);
		if (old)
			old.remove();
		if (fresh)
			document.head.appendChild(document.adoptNode(fresh));
	}

	function search() {
		var text = box.value.trim();
		if (!text)
			return;
		var number = ++asked;
		var url = "/search?" + query();
		fetch(url, {headers: {"Accept": "text/html"}})
			.then(function (response) {
				return response.text();
			})
			.then(function (html) {
				if (number !== asked)
					return; /* a later search was sent */
				var doc = new DOMParser().parseFromString(html,
					"text/html");
				var fresh = doc.getElementById("main");
				var main = document.getElementById("main");
				if (!fresh || !main)
					return;
				main.replaceWith(document.adoptNode(fresh));
				tell(fresh);
				document.title = doc.title;
				feedLink(doc);
				var top = document.querySelector(".top");
				if (top)
					top.classList.remove("home");
				history.replaceState(null, "", url);
			})
			.catch(function () {
				/* The form still works: nothing to do. */
			});
	}

	/* The completions of the last word, as the box's list. */
	var list = null;
	var completing = 0;

	/* The box's list: each completion's whole text. */
	function fill(suggestions) {
		list.replaceChildren();
		suggestions.forEach(function (s) {
			var option = document.createElement("option");
			option.value = s.text;
			list.appendChild(option);
		});
	}

	function complete() {
		var text = box.value;
		if (!list || !text.trim() || /\s$/.test(text))
			return;
		var number = ++completing;
		fetch("/api/suggest?q=" + encodeURIComponent(text))
			.then(function (response) {
				return response.ok ? response.json() : null;
			})
			.then(function (answer) {
				if (number !== completing || !answer ||
				    !Array.isArray(answer.suggestions))
					return;
				fill(answer.suggestions);
			})
			.catch(function () {});
	}

	/* A thumbnail that did not load takes its place, empty. */
	function hide(img) {
		if (img.classList && img.classList.contains("thumb"))
			img.classList.add("broken");
	}

	document.addEventListener("error", function (e) {
		hide(e.target);
	}, true);
	document.querySelectorAll("img.thumb").forEach(function (img) {
		if (img.complete && !img.naturalWidth)
			hide(img);
	});

	/* The keys work now: say which (a phone's style hides it). */
	var footer = document.querySelector("footer.bottom");
	if (footer)
		footer.hidden = false;

	if (form && box) {
		told = document.createElement("div");
		told.id = "told";
		told.className = "visually-hidden";
		told.setAttribute("role", "status");
		told.setAttribute("aria-live", "polite");
		document.body.appendChild(told);
		list = document.createElement("datalist");
		list.id = "q-completions";
		form.appendChild(list);
		box.setAttribute("list", list.id);
		var later = function () {
			clearTimeout(timer);
			timer = setTimeout(function () {
				search();
				complete();
			}, DELAY);
		};
		box.addEventListener("input", function (e) {
			if (e.isComposing)
				clearTimeout(timer);
			else
				later();
		});
		box.addEventListener("compositionend", later);
		form.addEventListener("submit", function () {
			clearTimeout(timer);
			asked++; /* what is on its way is stale now */
		});
	}
})();
