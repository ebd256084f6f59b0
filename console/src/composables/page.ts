// What the console's pages share: the page's two message lines (the server's refusal, what
// was done), a table paged by 20, filters kept in the address, and a form in a dialog.
import { computed, onMounted, reactive, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { download, session } from '../api/client'
import { dir, loadPeople, loadUnits } from '../api/directory'

export const PAGE_SIZE = 20

type Query = Record<string, string | number | boolean | undefined | null>

/** The caller's standing, as the pages show or hide actions by it (the server decides). */
export function useCaller() {
  const me = computed(() => session.current?.me)
  return {
    me,
    /** County level (县领导, 县安委办, 督查办): every unit, with a unit filter. */
    county: computed(() => !!me.value?.county_level),
    /** 县安委办 staff: the office's actions. */
    office: computed(() => !!me.value?.person.roles?.includes('safety_office_staff')),
    /** Townships and departments: the units a county-level filter lists. */
    units: computed(() => dir.units.filter((u) => u.kind === 'township' || u.kind === 'department')),
  }
}

/** The error and notice lines of a page, and the ways actions set them. */
export function useMessages(reload: () => Promise<void> = async () => {}) {
  const error = ref('')
  const notice = ref('')
  /** Runs `f`; a refusal becomes the error line. True when it went through. */
  async function attempt(f: () => Promise<unknown>): Promise<boolean> {
    error.value = ''
    try {
      await f()
      return true
    } catch (e) {
      error.value = (e as Error).message
      return false
    }
  }
  /** An action: on success `done` is the notice and the page reloads. */
  async function act(done: string, f: () => Promise<unknown>): Promise<boolean> {
    notice.value = ''
    const ok = await attempt(f)
    if (ok) {
      notice.value = done
      await reload()
    }
    return ok
  }
  /** Downloads an export; a refusal shows as the error line. */
  function exportFile(path: string, query: Query | undefined, name: string) {
    return attempt(() => download(path, query, name))
  }
  return { error, notice, attempt, act, exportFile }
}

/** A client-side page of 20 over `rows`, back to the first page when the rows change. */
export function usePaged<T>(rows: Ref<T[]>) {
  const pageNo = ref(1)
  const pageRows = computed(() => rows.value.slice((pageNo.value - 1) * PAGE_SIZE, pageNo.value * PAGE_SIZE))
  watch(rows, () => (pageNo.value = 1))
  return { pageNo, pageRows }
}

/**
 * Filters kept in the address (`?month=…&unit=…`), so a link (from 履职纪实, say) opens the
 * page filtered and the back button restores it. `apply` writes them; `load` runs whenever
 * the address changes and once the units (and people) are loaded.
 */
export function useAddressFilters<K extends string>(keys: readonly K[], load: () => Promise<void>, opts: { people?: boolean } = {}) {
  const route = useRoute()
  const router = useRouter()
  const read = () => Object.fromEntries(keys.map((k) => [k, (route.query[k] as string) ?? ''])) as Record<K, string>
  const filters = reactive(read()) as Record<K, string>
  function apply() {
    const q: Record<string, string> = {}
    for (const k of keys) if (filters[k]) q[k] = filters[k]
    router.replace({ query: q })
  }
  watch(
    () => keys.map((k) => route.query[k]),
    () => {
      Object.assign(filters, read())
      load()
    },
  )
  onMounted(async () => {
    await loadUnits().catch(() => {})
    if (opts.people) await loadPeople().catch(() => {})
    await load()
  })
  return { filters, apply }
}

/** Loads the directory (units, and people when asked), then the page. */
export function onDirectoryLoaded(load: () => Promise<void>, opts: { people?: boolean } = {}) {
  onMounted(async () => {
    await loadUnits().catch(() => {})
    if (opts.people) await loadPeople().catch(() => {})
    await load()
  })
}

/**
 * A form in a dialog: `open` shows it, `submit` saves with its own error line under the form,
 * closes on success and tells the page what was done.
 */
export function useDialogForm(done: (message: string) => void) {
  const visible = ref(false)
  const saving = ref(false)
  const error = ref('')
  function open() {
    error.value = ''
    visible.value = true
  }
  /** `save` answers the notice to show. */
  async function submit(save: () => Promise<string>) {
    error.value = ''
    saving.value = true
    try {
      const message = await save()
      visible.value = false
      done(message)
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      saving.value = false
    }
  }
  return reactive({ visible, saving, error, open, submit })
}

/** Today in the browser's calendar, YYYY-MM-DD. */
export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}
