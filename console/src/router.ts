import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session } from './api/client'
import Layout from './components/Layout.vue'
import Login from './views/Login.vue'

export const pages: { path: string; name: string; title: string; countyOnly?: boolean; props?: Record<string, string>; component: () => Promise<unknown> }[] = [
  { path: '', name: 'overview', title: '总览', component: () => import('./views/Overview.vue') },
  { path: 'hazards', name: 'hazards', title: '隐患台账', component: () => import('./views/Hazards.vue') },
  { path: 'inspections', name: 'inspections', title: '检查记录', component: () => import('./views/Inspections.vue') },
  { path: 'sites', name: 'sites', title: '场所', component: () => import('./views/Sites.vue') },
  { path: 'org', name: 'org', title: '组织与人员', component: () => import('./views/Org.vue') },
  { path: 'checklists', name: 'checklists', title: '检查清单', component: () => import('./views/Checklists.vue') },
  { path: 'patrols', name: 'patrols', title: '暗访计划', component: () => import('./views/Patrols.vue') },
  { path: 'campaigns', name: 'campaigns', title: '专项检查计划', component: () => import('./views/Campaigns.vue') },
  { path: 'duty', name: 'duty', title: '履职纪实', component: () => import('./views/Duty.vue') },
  { path: 'rotation', name: 'rotation', title: '述职安排', component: () => import('./views/Rotation.vue') },
  { path: 'meetings', name: 'meetings', title: '会议记录', props: { kind: 'meetings' }, component: () => import('./views/UnitRecords.vue') },
  { path: 'investments', name: 'investments', title: '硬件投入', props: { kind: 'investments' }, component: () => import('./views/UnitRecords.vue') },
  { path: 'accountability', name: 'accountability', title: '约谈问责', component: () => import('./views/Accountability.vue') },
  { path: 'engagements', name: 'engagements', title: '委托技术服务', component: () => import('./views/Engagements.vue') },
  { path: 'experts', name: 'experts', title: '专家库', component: () => import('./views/Experts.vue') },
  { path: 'mechanism', name: 'mechanism', title: '改机制', component: () => import('./views/Mechanism.vue') },
  { path: 'tasks', name: 'tasks', title: '任务交办', component: () => import('./views/Tasks.vue') },
  { path: 'feedback', name: 'feedback', title: '投诉建议', component: () => import('./views/Feedback.vue') },
  { path: 'complaints', name: 'complaints', title: '扫码投诉举报', component: () => import('./views/Complaints.vue') },
  { path: 'month-end', name: 'month-end', title: '月底报送', component: () => import('./views/MonthEnd.vue') },
  { path: 'assessment', name: 'assessment', title: '月度考核', component: () => import('./views/Assessment.vue') },
  { path: 'downloads', name: 'downloads', title: '下载', component: () => import('./views/Downloads.vue') },
]

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: Login, meta: { title: '登录' } },
  { path: '/login/oidc', name: 'login-oidc', component: () => import('./views/IdentityCallback.vue'), meta: { title: '统一身份认证登录' } },
  {
    path: '/',
    component: Layout,
    children: [
      ...pages.map((p) => ({ path: p.path, name: p.name, component: p.component, props: p.props, meta: { title: p.title } })),
      { path: 'reminders', name: 'reminders', component: () => import('./views/Reminders.vue'), meta: { title: '我的提醒' } },
      {
        path: 'hazards/:id',
        name: 'hazard',
        component: () => import('./views/HazardDetail.vue'),
        props: true,
        meta: { title: '隐患详情' },
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  if (to.name === 'login-oidc') return
  if (to.name !== 'login' && !session.current) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  if (to.name === 'login' && session.current) return { path: '/' }
})

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 安检`
})
